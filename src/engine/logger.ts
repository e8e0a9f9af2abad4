/** Logic takes a Logger instead of calling @actions/core or console directly (the CLI and the action differ). */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warning() {}, error() {} };

/** A logger writing to stderr; debug lines only when AI_GATE_DEBUG is set. */
export function stderrLogger(stream: NodeJS.WritableStream = process.stderr): Logger {
  const debug = Boolean(process.env.AI_GATE_DEBUG);
  return {
    debug: (m) => { if (debug) stream.write(`debug: ${m}\n`); },
    info: (m) => { stream.write(`${m}\n`); },
    warning: (m) => { stream.write(`warning: ${m}\n`); },
    error: (m) => { stream.write(`error: ${m}\n`); },
  };
}
