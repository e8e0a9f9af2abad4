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
  // Each row was checked on 2026-11-26 against public sources found with the project's search tool; the comment
  // above a row names them (GHSA = GitHub Advisory Database / github/advisory-database, NVD = nvd.nist.gov).
  // Confirmed: GHSA-53q9-r3pm-6pq6 (pytorch/pytorch advisory, "affected <=2.5.1, patched 2.6.0"; advisory-database PR #6063).
  { id: 'CVE-2025-32434', aliases: ['GHSA-53q9-r3pm-6pq6'], packages: ['torch'], affected: ['<2.6.0'], fixed: '2.6.0', impact: 'code-execution', published: '2025-04', summary: 'torch.load(weights_only=True) can still run code from a crafted checkpoint' },
  // Confirmed: NVD text quoted in adrienpetralia/ApplianceDetectionBenchmark#2 ("parse_type_line ... eval ... fix in 1.13.1");
  // github/advisory-database PR #1571 "[GHSA-47fc-vmwq-366v] ... Adding patched version 1.13.1".
  { id: 'CVE-2022-45907', aliases: ['GHSA-47fc-vmwq-366v'], packages: ['torch'], affected: ['<1.13.1'], fixed: '1.13.1', impact: 'code-execution', published: '2022-11', summary: 'torch.jit.annotations.parse_type_line calls eval on its input' },
  // Confirmed: CERT/CC VU#253266 (2024-04-16) and NVD: Lambda layers in models "prior to Keras 2.13" inject code.
  { id: 'CVE-2024-3660', packages: ['keras'], affected: ['<2.13'], fixed: '2.13', impact: 'code-execution', published: '2024-04', summary: 'Lambda layers in a loaded model run arbitrary code' },
  // Confirmed: keras-team/keras advisory GHSA-48g7-3x6r-xfhp ("fixed starting with version 3.9"), quoted in queens-py/queens#279;
  // affected ">= 3.0.0, < 3.9.0" per the GHSA listing.
  { id: 'CVE-2025-1550', aliases: ['GHSA-48g7-3x6r-xfhp'], packages: ['keras'], affected: ['>=3.0.0,<3.9.0'], fixed: '3.9.0', impact: 'code-execution', published: '2025-03', summary: 'Model.load_model runs code from a crafted .keras file even with safe_mode=True' },
  // Confirmed: CVE record "Keras versions 3.0.0 through 3.10.0"; GHSA-c9rc-mg46-23w3 ">= 3.0.0, < 3.11.0, patched 3.11.0".
  { id: 'CVE-2025-8747', aliases: ['GHSA-c9rc-mg46-23w3'], packages: ['keras'], affected: ['>=3.0.0,<3.11.0'], fixed: '3.11.0', impact: 'code-execution', published: '2025-08', summary: 'safe_mode bypass in Model.load_model lets a crafted .keras archive run code' },
  // Confirmed: TensorFlow advisory text (quoted in NixOS/nixpkgs#138695): yaml.unsafe_load in model_from_yaml, fixed in 2.6.0
  // with cherry-picks to 2.5.1, 2.4.3 and 2.3.4.
  { id: 'CVE-2021-37678', packages: ['tensorflow', 'tensorflow-cpu', 'tensorflow-gpu'], affected: ['<2.3.4', '>=2.4.0,<2.4.3', '>=2.5.0,<2.5.1'], fixed: '2.5.1', impact: 'code-execution', published: '2021-08', summary: 'model_from_yaml uses yaml.unsafe_load, so a YAML model config runs code' },
  // Confirmed: NVD (2024-04-10): pickle.load in TFPreTrainedModel.load_repo_checkpoint; pytorch/executorch#3227 "Update to
  // transformers 4.38 to fix CVE-2024-3568".
  { id: 'CVE-2024-3568', packages: ['transformers'], affected: ['<4.38.0'], fixed: '4.38.0', impact: 'code-execution', published: '2024-04', summary: 'loading a TF checkpoint through load_repo_checkpoint unpickles untrusted data' },
  // Confirmed: NVD (2023-12-19) "huggingface/transformers prior to 4.36"; the unsafe pickle.load calls were in the RAG
  // retriever and the TransfoXL tokenizer (SentinelOne's summary of the NVD entry).
  { id: 'CVE-2023-6730', packages: ['transformers'], affected: ['<4.36.0'], fixed: '4.36.0', impact: 'code-execution', published: '2023-12', summary: 'the RAG retriever and the TransfoXL tokenizer deserialise files with pickle' },
  // Confirmed: MLflow's advisory text (Kodem archive): "MLflow version older than MLflow 2.2.1 may be vulnerable to a
  // remote file access exploit" via mlflow server / mlflow ui.
  { id: 'CVE-2023-1177', packages: ['mlflow'], affected: ['<2.2.1'], fixed: '2.2.1', impact: 'file-access', published: '2023-03', summary: 'path traversal in the tracking server (mlflow server / mlflow ui) lets a client read any file on the host' },
  // Confirmed: NVD "In LangChain through 0.0.131, the LLMMathChain chain allows prompt injection ... exec()" (quoted in
  // Azure-Samples/azure-search-openai-demo#103); 0.0.132 is the first release after the affected range.
  { id: 'CVE-2023-29374', aliases: ['GHSA-fprp-p869-w6q2'], packages: ['langchain'], affected: ['<=0.0.131'], fixed: '0.0.132', impact: 'code-execution', published: '2023-04', summary: 'LLMMathChain executes model output as Python (prompt injection to code execution)' },
  // Confirmed: osv.dev GHSA-c67j-w6g6-q2cm (dumps/dumpd do not escape 'lc' keys; loads instantiates objects, secrets_from_env);
  // ranges <0.3.81 and >=1.0.0,<1.2.5 as in that advisory.
  { id: 'CVE-2025-68664', aliases: ['GHSA-c67j-w6g6-q2cm'], packages: ['langchain-core'], affected: ['<0.3.81', '>=1.0.0,<1.2.5'], fixed: '0.3.81', impact: 'code-execution', published: '2025-12', summary: 'serialisation injection in dumps/loads lets crafted data instantiate objects and leak secrets' },
  // Confirmed: abetlen/llama-cpp-python#1462 ("fix CVE-2024-34359 by using SandboxedEnvironment"); range as listed in
  // GHSA-56xg-wfcc-g829 (chat templates read from GGUF since 0.2.30, sandboxed in 0.2.72).
  { id: 'CVE-2024-34359', aliases: ['GHSA-56xg-wfcc-g829'], packages: ['llama-cpp-python'], affected: ['>=0.2.30,<0.2.72'], fixed: '0.2.72', impact: 'code-execution', published: '2024-05', summary: 'a GGUF file\'s chat template is rendered by an unsandboxed Jinja2 environment (code execution on model load)' },
  // Confirmed: vulhub/vulhub#681 "Gradio file Directory Traversal (CVE-2023-51449)", reproduced on 4.10.0
  // (gunh0/kr-vulhub#460); fixed in 4.11.0 per the GHSA listing.
  { id: 'CVE-2023-51449', packages: ['gradio'], affected: ['>=4.0.0,<4.11.0'], fixed: '4.11.0', impact: 'file-access', published: '2023-12', summary: 'path traversal in the /file route lets anyone read files from the server' },
  // Confirmed: NVD status Disputed; Anyscale has shipped no fix (vulhub/vulhub#795, projectdiscovery/nuclei-templates#12451).
  { id: 'CVE-2023-48022', packages: ['ray'], affected: ['>=0'], fixed: '', impact: 'code-execution', published: '2023-11', disputed: true, summary: 'the Ray dashboard/Jobs API runs submitted code without authentication ("ShadowRay"); the vendor treats it as by design' },
  // Confirmed: instructlab/instructlab#3131 and kserve/kserve#4223 ("fix is available in vLLM 0.7.0 or higher"); the fix set
  // weights_only=True on torch.load (QwenLM/Qwen3#1356).
  { id: 'CVE-2025-24357', packages: ['vllm'], affected: ['<0.7.0'], fixed: '0.7.0', impact: 'code-execution', published: '2025-01', summary: 'hf_model_weights_iterator calls torch.load without weights_only on downloaded checkpoints' },
  // Confirmed: vllm-project/vllm#17192 "Use safe serialization and fix zmq setup for mooncake pipe", resolving
  // GHSA-hj4w-hm2g-p6w5 (released in 0.8.5; KempnerInstitute/distributed-inference-vllm#37 lists 0.8.5.post1 as still
  // flagged for other advisories only).
  { id: 'CVE-2025-32444', aliases: ['GHSA-hj4w-hm2g-p6w5'], packages: ['vllm'], affected: ['>=0.6.5,<0.8.5'], fixed: '0.8.5', impact: 'code-execution', published: '2025-04', summary: 'the Mooncake integration unpickles data received over unauthenticated ZeroMQ sockets' },
  // Confirmed: the ONNX external-data traversal was patched three times, CVE-2022-25882, CVE-2024-27318 (bypass of the
  // first fix, fixed in 1.16.0) and CVE-2026-27489 (write-up "Two incomplete fixes ..."; NVD).
  { id: 'CVE-2024-27318', packages: ['onnx'], affected: ['<1.16.0'], fixed: '1.16.0', impact: 'file-access', published: '2024-02', summary: 'external-data paths in a model escape its directory (path traversal on load)' },
  // Confirmed: NVD "joblib from 0 and before 1.2.0 ... pre_dispatch flag in Parallel() ... eval()" (tensorflow/data-validation#225);
  // github/advisory-database PR #2136: the fix was backported to 1.1.1 (joblib/joblib#1350), so 1.1.1 is not affected.
  { id: 'CVE-2022-21797', aliases: ['GHSA-6hrg-qmvc-2xh8'], packages: ['joblib'], affected: ['<1.1.1'], fixed: '1.1.1', impact: 'code-execution', published: '2022-09', summary: 'Parallel(pre_dispatch=…) evaluates its argument with eval' },
  // Confirmed: numpy/numpy#12759 and #12889/#13359: allow_pickle defaults to False from 1.16.3 "in response to CVE-2019-6446";
  // NVD lists the entry as disputed (loading pickles is documented behaviour).
  { id: 'CVE-2019-6446', packages: ['numpy'], affected: ['<1.16.3'], fixed: '1.16.3', impact: 'code-execution', published: '2019-01', disputed: true, summary: 'np.load unpickles object arrays by default (allow_pickle=True)' },
  // Confirmed: BentoML's advisory for CVE-2025-27520 (pickle.loads in serde.deserialize_value): "from 1.3.4 up to before
  // 1.4.3" (the table used to say 1.3.8).
  { id: 'CVE-2025-27520', packages: ['bentoml'], affected: ['>=1.3.4,<1.4.3'], fixed: '1.4.3', impact: 'code-execution', published: '2025-04', summary: 'the serving endpoint deserialises request bodies with pickle (unauthenticated code execution)' },
  // Confirmed: Lightning-AI/pytorch-lightning#20038 (CVE-2024-5452): the LightningApp code was removed in the release of
  // 2024-07-08, 2.3.3 (open-edge-platform/geti#3796 bumps to 2.3.3 for the same lightning.app CVEs).
  { id: 'CVE-2024-5452', packages: ['lightning'], affected: ['<2.3.3'], fixed: '2.3.3', impact: 'code-execution', published: '2024-06', summary: 'state updates sent to a LightningApp can set arbitrary attributes (deepdiff Delta), leading to code execution' },
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
