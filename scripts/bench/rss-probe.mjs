// Loaded with `node --import` into a measured process: at exit, writes its peak RSS (bytes) to the file named
// by AI_GATE_RSS_FILE. Node's own rusage, so no external `time` binary is needed.
import { writeFileSync } from 'node:fs';

const target = process.env.AI_GATE_RSS_FILE;
if (target) process.on('exit', () => writeFileSync(target, String(process.resourceUsage().maxRSS * 1024)));
