/**
 * Several rules look at the same config file; each parse happens once per file (the engine gives every rule of a
 * file the same reader). A parse error is cached too, so that every rule sees the same FormatError.
 */
import { FormatError } from './errors.js';

interface TextSource { text(): Promise<{ text: string; truncated: boolean }> }

const cache = new WeakMap<object, Map<string, unknown>>();

export async function parsedOnce<T>(reader: TextSource, key: string, parse: (text: string) => T): Promise<T | FormatError> {
  let forReader = cache.get(reader);
  if (!forReader) cache.set(reader, (forReader = new Map()));
  if (forReader.has(key)) return forReader.get(key) as T | FormatError;
  const { text } = await reader.text();
  let result: T | FormatError;
  try {
    result = parse(text);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    result = error;
  }
  forReader.set(key, result);
  return result;
}
