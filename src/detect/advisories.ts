/**
 * A dated, built-in table of advisories for ML packages, checked offline with PEP 440 semantics. Each row is a
 * public advisory (CVE/GHSA id, as listed in the GitHub Advisory Database and NVD) with its affected ranges; the
 * table holds those where loading a file, a model or a request leads to code execution or file access, which is
 * what matters for a repository that ships or serves models. It is not exhaustive: the optional OSV lookup
 * (src/detect/osv.ts) covers the rest when the policy turns it on.
 */
import { satisfies, valid } from '@renovatebot/pep440';
import { normalizeName } from '../formats/requirements.js';

/** When the table was last reviewed; findings cite it so a reader knows how fresh the offline check is. */
export const ADVISORY_TABLE_DATE = '2026-11-26';

export interface Advisory {
  /** CVE id, with the GHSA id where known. */
  id: string;
  aliases?: string[];
  /** PyPI names (normalised) the advisory applies to. */
  packages: string[];
  /** PEP 440 specifiers; a version is affected when it satisfies any one of them. */
  affected: string[];
  /** First fixed version ('' when there is none). */
  fixed: string;
  impact: 'code-execution' | 'file-access';
  summary: string;
  /** YYYY-MM the advisory was published. */
  published: string;
  /** Disputed by the vendor, or exploitable only in a configuration the vendor calls unsupported. */
  disputed?: boolean;
}

export const ADVISORIES: readonly Advisory[] = [
  { id: 'CVE-2025-32434', aliases: ['GHSA-53q9-r3pm-6pq6'], packages: ['torch'], affected: ['<2.6.0'], fixed: '2.6.0', impact: 'code-execution', published: '2025-04', summary: 'torch.load(weights_only=True) can still run code from a crafted checkpoint' },
  { id: 'CVE-2022-45907', aliases: ['GHSA-47fc-vmwq-366v'], packages: ['torch'], affected: ['<1.13.1'], fixed: '1.13.1', impact: 'code-execution', published: '2022-11', summary: 'torch.jit.annotations.parse_type_line calls eval on its input' },
  { id: 'CVE-2024-3660', packages: ['keras'], affected: ['<2.13'], fixed: '2.13', impact: 'code-execution', published: '2024-04', summary: 'Lambda layers in a loaded model run arbitrary code' },
  { id: 'CVE-2025-1550', packages: ['keras'], affected: ['>=3.0.0,<3.9.0'], fixed: '3.9.0', impact: 'code-execution', published: '2025-03', summary: 'Model.load_model runs code from a crafted .keras file even with safe_mode=True' },
  { id: 'CVE-2025-8747', packages: ['keras'], affected: ['>=3.0.0,<3.11.0'], fixed: '3.11.0', impact: 'code-execution', published: '2025-08', summary: 'safe_mode bypass in Model.load_model lets a crafted .keras archive run code' },
  { id: 'CVE-2021-37678', packages: ['tensorflow', 'tensorflow-cpu', 'tensorflow-gpu'], affected: ['<2.3.4', '>=2.4.0,<2.4.3', '>=2.5.0,<2.5.1'], fixed: '2.5.1', impact: 'code-execution', published: '2021-08', summary: 'model_from_yaml uses yaml.unsafe_load, so a YAML model config runs code' },
  { id: 'CVE-2024-3568', packages: ['transformers'], affected: ['<4.38.0'], fixed: '4.38.0', impact: 'code-execution', published: '2024-04', summary: 'loading a TF checkpoint through load_repo_checkpoint unpickles untrusted data' },
  { id: 'CVE-2023-6730', packages: ['transformers'], affected: ['<4.36.0'], fixed: '4.36.0', impact: 'code-execution', published: '2023-12', summary: 'RagRetriever deserialises an index with pickle' },
  { id: 'CVE-2023-1177', packages: ['mlflow'], affected: ['<2.2.1'], fixed: '2.2.1', impact: 'file-access', published: '2023-03', summary: 'path traversal in the tracking server lets a client read (and via that, take over) the host' },
  { id: 'CVE-2023-29374', aliases: ['GHSA-fprp-p869-w6q2'], packages: ['langchain'], affected: ['<=0.0.131'], fixed: '0.0.132', impact: 'code-execution', published: '2023-04', summary: 'LLMMathChain executes model output as Python (prompt injection to code execution)' },
  { id: 'CVE-2025-68664', packages: ['langchain-core'], affected: ['<0.3.81', '>=1.0.0,<1.2.5'], fixed: '0.3.81', impact: 'code-execution', published: '2025-12', summary: 'serialisation injection in dumps/loads lets crafted data instantiate objects and leak secrets' },
  { id: 'CVE-2024-34359', aliases: ['GHSA-56xg-wfcc-g829'], packages: ['llama-cpp-python'], affected: ['>=0.2.30,<0.2.72'], fixed: '0.2.72', impact: 'code-execution', published: '2024-05', summary: 'a GGUF file\'s chat template is rendered by an unsandboxed Jinja2 environment (code execution on model load)' },
  { id: 'CVE-2023-51449', packages: ['gradio'], affected: ['>=4.0.0,<4.11.0'], fixed: '4.11.0', impact: 'file-access', published: '2023-12', summary: 'path traversal in the file route lets anyone read files from the server' },
  { id: 'CVE-2023-48022', packages: ['ray'], affected: ['>=0'], fixed: '', impact: 'code-execution', published: '2023-11', disputed: true, summary: 'the Ray dashboard/Jobs API runs submitted code without authentication ("ShadowRay"); the vendor treats it as by design' },
  { id: 'CVE-2025-24357', packages: ['vllm'], affected: ['<0.7.0'], fixed: '0.7.0', impact: 'code-execution', published: '2025-01', summary: 'hf_model_weights_iterator calls torch.load without weights_only on downloaded checkpoints' },
  { id: 'CVE-2025-32444', packages: ['vllm'], affected: ['>=0.6.5,<0.8.5'], fixed: '0.8.5', impact: 'code-execution', published: '2025-04', summary: 'the Mooncake integration unpickles data received over unauthenticated ZeroMQ sockets' },
  { id: 'CVE-2024-27318', packages: ['onnx'], affected: ['<1.16.0'], fixed: '1.16.0', impact: 'file-access', published: '2024-02', summary: 'external-data paths in a model escape its directory (path traversal on load)' },
  { id: 'CVE-2022-21797', packages: ['joblib'], affected: ['<1.2.0'], fixed: '1.2.0', impact: 'code-execution', published: '2022-09', summary: 'Parallel(pre_dispatch=…) evaluates its argument with eval' },
  { id: 'CVE-2019-6446', packages: ['numpy'], affected: ['<1.16.3'], fixed: '1.16.3', impact: 'code-execution', published: '2019-01', disputed: true, summary: 'np.load unpickles object arrays by default (allow_pickle=True)' },
  { id: 'CVE-2025-27520', packages: ['bentoml'], affected: ['>=1.3.8,<1.4.3'], fixed: '1.4.3', impact: 'code-execution', published: '2025-04', summary: 'the serving endpoint deserialises request bodies with pickle (unauthenticated code execution)' },
  { id: 'CVE-2024-5452', packages: ['lightning'], affected: ['<2.3.3'], fixed: '2.3.3', impact: 'code-execution', published: '2024-06', summary: 'state updates sent to a LightningApp can set arbitrary attributes, leading to code execution' },
];

/** The advisories that affect `name==version` (empty for versions PEP 440 cannot parse). */
export function advisoriesFor(name: string, version: string, table: readonly Advisory[] = ADVISORIES): Advisory[] {
  const pkg = normalizeName(name);
  if (!valid(version)) return [];
  return table.filter((a) => a.packages.includes(pkg) && a.affected.some((range) => {
    try {
      return satisfies(version, range);
    } catch {
      return false; // the library throws on some odd inputs; an unparseable range never matches
    }
  }));
}
