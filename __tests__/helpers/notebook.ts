/**
 * Builds .ipynb text the way Jupyter writes it (nbformat 4, one-space indent, sources as lists of lines), so
 * that line numbers in findings can be checked against what a reviewer sees in the diff.
 */
export interface CellSpec {
  type?: 'code' | 'markdown' | 'raw';
  source: string;
  outputs?: unknown[];
}

function lines(text: string): string[] {
  return text.split(/(?<=\n)/);
}

export function buildNotebook(cells: CellSpec[]): string {
  const nb = {
    cells: cells.map((c) => ({
      cell_type: c.type ?? 'code',
      metadata: {},
      source: lines(c.source),
      ...((c.type ?? 'code') === 'code' ? { execution_count: null, outputs: c.outputs ?? [] } : {}),
    })),
    metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(nb, null, 1) + '\n';
}

export const stream = (text: string) => ({ output_type: 'stream', name: 'stdout', text: lines(text) });
export const display = (data: Record<string, unknown>) => ({ output_type: 'display_data', data, metadata: {} });
export const result = (text: string) => ({ output_type: 'execute_result', execution_count: 1, data: { 'text/plain': lines(text) }, metadata: {} });

/** The 1-based line of the file on which `needle` first occurs. */
export function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`${needle} not in text`);
  return text.slice(0, at).split('\n').length;
}
