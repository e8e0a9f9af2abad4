import { parquetMetadataAsync, parquetReadObjects, parquetSchema, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { FormatError, type ReadAt } from './errors.js';

export interface ParquetColumn {
  name: string;
  /** Physical type, or the logical/converted type where one is declared (STRING, DATE, …). */
  type: string;
}

export interface ParquetFile {
  metadata: FileMetaData;
  columns: ParquetColumn[];
  numRows: number;
  rowGroups: Array<{ index: number; rowStart: number; rows: number; compressedBytes: number }>;
}

/** The largest slice one request may ask for: a column chunk beyond it is refused, never allocated. */
export const MAX_SLICE_BYTES = 512 * 1024 * 1024;
/** Rows decoded per call, so a large row group is turned into objects a batch at a time. */
const BATCH_ROWS = 20_000;

/** hyparquet's AsyncBuffer over a bounded random-access reader. */
function asyncBuffer(readAt: ReadAt, size: number) {
  return {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = Math.min(end ?? size, size);
      if (stop - start > MAX_SLICE_BYTES) throw new FormatError(`a Parquet read of ${stop - start} bytes exceeds the ${MAX_SLICE_BYTES}-byte limit`, start);
      const out = new Uint8Array(Math.max(0, stop - start));
      for (let at = 0; at < out.length;) {
        const part = await readAt(start + at, out.length - at);
        if (part.length === 0) throw new FormatError(`file ends at byte ${start + at}, inside a Parquet structure`, start + at);
        out.set(part, at);
        at += part.length;
      }
      return out.buffer;
    },
  };
}

function wrap(error: unknown): never {
  if (error instanceof FormatError) throw error;
  throw new FormatError(`invalid Parquet: ${(error as Error)?.message ?? String(error)}`);
}

/** Footer, schema and row groups; no data is read. */
export async function openParquet(readAt: ReadAt, size: number): Promise<ParquetFile & { file: ReturnType<typeof asyncBuffer> }> {
  const file = asyncBuffer(readAt, size);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    wrap(error);
  }
  let tree: ReturnType<typeof parquetSchema>;
  try {
    // hyparquet builds the schema tree from the footer's flat list without checking it (a bad num_children
    // throws a TypeError): anything it throws here is the file's fault.
    tree = parquetSchema(metadata);
    checkColumnPaths(metadata, tree);
  } catch (error) {
    wrap(error);
  }
  const columns = tree.children.map((c) => ({
    name: c.element.name,
    type: normaliseType(String(c.element.logical_type?.type ?? c.element.converted_type ?? c.element.type ?? (c.children.length ? 'GROUP' : 'UNKNOWN'))),
  }));
  let rowStart = 0;
  const rowGroups = metadata.row_groups.map((g, index) => {
    const rows = Number(g.num_rows);
    const compressedBytes = g.columns.reduce((s, c) => s + Number(c.meta_data?.total_compressed_size ?? 0n), 0);
    const out = { index, rowStart, rows, compressedBytes };
    rowStart += rows;
    return out;
  });
  return { file, metadata, columns, numRows: Number(metadata.num_rows), rowGroups };
}

/**
 * Every column chunk must name a distinct leaf of the schema. hyparquet (1.31) starts reading a row group's
 * earlier columns before it looks up a later one; when that lookup throws, the earlier reads reject with no
 * handler and the unhandled rejection ends the whole process (found by __tests__/fuzz). Checked up front so a
 * file with a mangled column path is a FormatError instead.
 */
function checkColumnPaths(metadata: FileMetaData, tree: ReturnType<typeof parquetSchema>): void {
  for (const [g, group] of metadata.row_groups.entries()) {
    const seen = new Set<string>();
    for (const chunk of group.columns) {
      const path = chunk.meta_data?.path_in_schema;
      if (!path?.length) throw new FormatError(`Parquet row group ${g} has a column chunk without a path`);
      let node = tree;
      for (const name of path) {
        const child = node.children.find((c) => c.element.name === name);
        if (!child) throw new FormatError(`Parquet row group ${g} has a column ${JSON.stringify(path.join('.'))} that the schema does not declare`);
        node = child;
      }
      if (node.children.length) throw new FormatError(`Parquet row group ${g} has a column chunk for the group ${JSON.stringify(path.join('.'))}`);
      const key = path.join('\0');
      if (seen.has(key)) throw new FormatError(`Parquet row group ${g} has the column ${JSON.stringify(path.join('.'))} twice`);
      seen.add(key);
    }
  }
}

/** Rows of the given row groups as plain objects (BigInt values become numbers or strings), in batches. */
export async function* parquetRows(pf: Awaited<ReturnType<typeof openParquet>>, groups: readonly number[]): AsyncIterable<{ row: number; values: Record<string, unknown> }> {
  for (const g of groups) {
    const group = pf.rowGroups[g];
    for (let start = group.rowStart; start < group.rowStart + group.rows; start += BATCH_ROWS) {
      const end = Math.min(group.rowStart + group.rows, start + BATCH_ROWS);
      let batch: Record<string, unknown>[];
      try {
        batch = await parquetReadObjects({ file: pf.file, metadata: pf.metadata, rowStart: start, rowEnd: end, compressors });
      } catch (error) {
        wrap(error);
      }
      for (let i = 0; i < batch.length; i++) yield { row: start + i + 1, values: plain(batch[i]) };
    }
  }
}

function plain(obj: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'bigint') obj[k] = Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
    else if (v instanceof Uint8Array) obj[k] = Buffer.from(v).toString('utf8');
  }
  return obj;
}

/** The same logical type whichever way the writer declared it (UTF8 is the old converted type of STRING). */
function normaliseType(t: string): string {
  return t === 'UTF8' ? 'STRING' : t;
}
