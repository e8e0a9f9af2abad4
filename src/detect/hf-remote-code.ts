/**
 * Hugging Face "custom code" mappings: `auto_map` in config.json / tokenizer_config.json /
 * preprocessor_config.json / processor_config.json, and `custom_pipelines` in config.json. With
 * `trust_remote_code=True`, transformers imports the module each entry names: `module.Class` from the model's
 * own folder, or `org/repo--module.Class` from another Hub repository (the `--` form is how transformers'
 * `get_class_from_dynamic_module` names code in another repository).
 */
import { FormatError } from '../formats/errors.js';
import { joinPointer, parseYamlWithPositions, type YamlPosition } from '../formats/yaml-positions.js';

/** The config files transformers reads `auto_map` from. */
export const HF_CONFIG_NAMES = new Set([
  'config.json', 'tokenizer_config.json', 'preprocessor_config.json', 'processor_config.json', 'feature_extractor_config.json',
  'image_processor_config.json', 'video_preprocessor_config.json',
]);

export interface RemoteCodeEntry {
  /** `auto_map.AutoModel` or `custom_pipelines.pair-classification.impl`. */
  key: string;
  /** The reference as written, e.g. `modeling_x.XModel` or `org/repo--modeling_x.XModel`. */
  reference: string;
  /** Another Hub repository (`org/repo`), when the reference names one. */
  repo?: string;
  /** `modeling_x` → the file `modeling_x.py`; undefined when the reference is malformed. */
  module?: string;
  className?: string;
  position?: YamlPosition;
}

const MODULE = /^[A-Za-z_]\w*$/;

/** The entries of a config's `auto_map` and `custom_pipelines` (empty when it has neither). */
export function remoteCodeEntries(text: string, filename: string): RemoteCodeEntry[] {
  if (!text.includes('auto_map') && !text.includes('custom_pipelines')) return [];
  const doc = parseYamlWithPositions(text, filename);
  const config = doc.value;
  if (!isObj(config)) return [];
  const out: RemoteCodeEntry[] = [];
  const add = (key: string, pointer: string, value: unknown) => {
    if (typeof value !== 'string' || value === '') return;
    out.push({ key, ...parseReference(value), position: doc.positionOf(pointer) });
  };
  if (isObj(config.auto_map)) {
    for (const [auto, value] of Object.entries(config.auto_map).slice(0, 200)) {
      const pointer = joinPointer('/auto_map', auto);
      // Tokenizers map to [slow, fast]; either may be null.
      if (Array.isArray(value)) value.slice(0, 4).forEach((v, i) => add(`auto_map.${auto}`, joinPointer(pointer, i), v));
      else add(`auto_map.${auto}`, pointer, value);
    }
  }
  if (isObj(config.custom_pipelines)) {
    for (const [task, spec] of Object.entries(config.custom_pipelines).slice(0, 200)) {
      if (isObj(spec)) add(`custom_pipelines.${task}.impl`, joinPointer(joinPointer('/custom_pipelines', task), 'impl'), spec.impl);
    }
  }
  return out;
}

export function parseReference(reference: string): Omit<RemoteCodeEntry, 'key' | 'position'> {
  const sep = reference.indexOf('--');
  const repo = sep > 0 ? reference.slice(0, sep) : undefined;
  const local = sep > 0 ? reference.slice(sep + 2) : reference;
  const dot = local.lastIndexOf('.');
  const module = dot > 0 ? local.slice(0, dot) : undefined;
  return {
    reference, repo,
    module: module && MODULE.test(module) ? module : undefined,
    className: dot > 0 ? local.slice(dot + 1) : undefined,
  };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export { FormatError };
