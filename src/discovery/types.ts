/**
 * What discovery hands the engine: one entry per file in scope, classified. Paths are relative to the
 * scanned root, with `/`, never starting with `./` or `/`.
 */
export const FILE_KINDS = [
  'model', 'dataset', 'workflow', 'dockerfile', 'k8s', 'dependency', 'notebook', 'config', 'text', 'binary',
] as const;
export type FileKind = (typeof FILE_KINDS)[number];

/**
 * A finer format, decided from the first bytes where the bytes say it (magic numbers), else from the name.
 * `pickle` is a raw pickle stream; `pytorch-zip` a zip whose members include a `*.pkl` (torch.save since 1.6);
 * `torch-legacy` the pre-1.6 stacked-pickle layout; `joblib` a joblib dump (a pickle, maybe compressed).
 */
export type FileFormat =
  | 'pickle' | 'pytorch-zip' | 'torch-legacy' | 'joblib' | 'npy' | 'npz' | 'safetensors' | 'gguf' | 'hdf5'
  | 'onnx' | 'keras' | 'tflite' | 'zip' | '7z' | 'gzip' | 'bzip2' | 'xz' | 'zstd' | 'tar'
  | 'csv' | 'tsv' | 'jsonl' | 'json' | 'parquet' | 'arrow' | 'yaml' | 'toml' | 'ipynb' | 'dockerfile'
  | 'python' | 'shell' | 'markdown' | 'text' | 'lfs-pointer' | 'unknown';

export type ChangeType = 'added' | 'modified' | 'renamed' | 'copied' | 'unchanged';

export interface ScannedFile {
  /** Relative to the scanned root, `/`-separated. */
  path: string;
  /** Absolute path on disk. */
  absPath: string;
  size: number;
  kind: FileKind;
  format: FileFormat;
  /** The first bytes of the file (up to HEAD_BYTES), read once by discovery for classification. */
  head: Buffer;
  /** How the change under review touched this file; `unchanged` in a whole-tree scan. */
  change: ChangeType;
  /** For renames: the path before. */
  previousPath?: string;
}

export const HEAD_BYTES = 8192;

/** Something discovery met that is not a file to scan but must not pass silently (e.g. a symlink out of the tree). */
export interface DiscoveryIssue {
  path: string;
  kind: 'symlink-escape' | 'special-file' | 'unreadable' | 'too-large' | 'missing';
  detail: string;
}

export interface DiscoveryResult {
  files: ScannedFile[];
  issues: DiscoveryIssue[];
  /** Paths skipped by `paths.ignore` (counted in the report, not listed by default). */
  ignored: number;
  /** Paths the change deleted (nothing to scan, but reported in the summary). */
  deleted: string[];
}
