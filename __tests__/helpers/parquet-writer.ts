/**
 * A minimal Parquet writer for tests (written from the format spec, apache/parquet-format's parquet.thrift):
 * REQUIRED columns of strings (BYTE_ARRAY, UTF8), integers (INT64) or other numbers (DOUBLE); PLAIN
 * encoding; uncompressed; one data page (v1) per column chunk; `rowGroupSize` rows per row group.
 */
class Compact {
  parts: number[] = [];
  private last: number[] = [0];
  varint(n: bigint): void {
    let v = n;
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      this.parts.push(byte);
    } while (v > 0n);
  }
  zigzag(n: number | bigint): void {
    const v = BigInt(n);
    this.varint(v >= 0n ? v << 1n : ((-v) << 1n) - 1n);
  }
  field(id: number, type: number): void {
    const delta = id - this.last[this.last.length - 1];
    if (delta > 0 && delta <= 15) this.parts.push((delta << 4) | type);
    else { this.parts.push(type); this.zigzag(id); }
    this.last[this.last.length - 1] = id;
  }
  i32(id: number, v: number): void { this.field(id, 5); this.zigzag(v); }
  i64(id: number, v: number | bigint): void { this.field(id, 6); this.zigzag(v); }
  binary(id: number, v: string): void { this.field(id, 8); this.bytes(Buffer.from(v, 'utf8')); }
  bytes(b: Buffer): void { this.varint(BigInt(b.length)); this.parts.push(...b); }
  listHeader(id: number, elemType: number, size: number): void {
    this.field(id, 9);
    if (size < 15) this.parts.push((size << 4) | elemType);
    else { this.parts.push(0xf0 | elemType); this.varint(BigInt(size)); }
  }
  struct(id: number | undefined, body: () => void): void {
    if (id !== undefined) this.field(id, 12);
    this.last.push(0);
    body();
    this.parts.push(0);
    this.last.pop();
  }
  buffer(): Buffer { return Buffer.from(this.parts); }
}

type Column = Array<string | number>;
const BYTE_ARRAY = 6, INT64 = 2, DOUBLE = 5;

function typeOf(values: Column): number {
  if (values.every((v) => typeof v === 'number' && Number.isInteger(v))) return INT64;
  if (values.every((v) => typeof v === 'number')) return DOUBLE;
  return BYTE_ARRAY;
}

function plain(type: number, values: Column): Buffer {
  const out: Buffer[] = [];
  for (const v of values) {
    if (type === INT64) { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(v as number)); out.push(b); }
    else if (type === DOUBLE) { const b = Buffer.alloc(8); b.writeDoubleLE(v as number); out.push(b); }
    else { const s = Buffer.from(String(v), 'utf8'); const len = Buffer.alloc(4); len.writeUInt32LE(s.length); out.push(len, s); }
  }
  return Buffer.concat(out);
}

export function writeParquet(columns: Record<string, Column>, opts: { rowGroupSize?: number } = {}): Buffer {
  const names = Object.keys(columns);
  const rows = columns[names[0]].length;
  const types = names.map((n) => typeOf(columns[n]));
  const size = opts.rowGroupSize ?? Math.max(1, rows);
  const chunks: Buffer[] = [Buffer.from('PAR1')];
  let offset = 4;
  const groups: Array<{ rows: number; cols: Array<{ offset: number; bytes: number; values: number }> }> = [];
  for (let start = 0; start < rows; start += size) {
    const end = Math.min(rows, start + size);
    const cols = names.map((n, i) => {
      const data = plain(types[i], columns[n].slice(start, end));
      const header = new Compact();
      header.struct(undefined, () => {
        header.i32(1, 0); // DATA_PAGE
        header.i32(2, data.length);
        header.i32(3, data.length);
        header.struct(5, () => { header.i32(1, end - start); header.i32(2, 0); header.i32(3, 3); header.i32(4, 3); });
      });
      const page = Buffer.concat([header.buffer(), data]);
      const at = offset;
      chunks.push(page);
      offset += page.length;
      return { offset: at, bytes: page.length, values: end - start };
    });
    groups.push({ rows: end - start, cols });
  }
  const meta = new Compact();
  meta.struct(undefined, () => {
    meta.i32(1, 1);
    meta.listHeader(2, 12, names.length + 1);
    meta.struct(undefined, () => { meta.binary(4, 'schema'); meta.i32(5, names.length); });
    names.forEach((n, i) => meta.struct(undefined, () => {
      meta.i32(1, types[i]);
      meta.i32(3, 0); // REQUIRED
      meta.binary(4, n);
      if (types[i] === BYTE_ARRAY) meta.i32(6, 0); // UTF8
    }));
    meta.i64(3, rows);
    meta.listHeader(4, 12, groups.length);
    for (const g of groups) {
      meta.struct(undefined, () => {
        meta.listHeader(1, 12, g.cols.length);
        g.cols.forEach((c, i) => meta.struct(undefined, () => {
          meta.i64(2, c.offset);
          meta.struct(3, () => {
            meta.i32(1, types[i]);
            meta.listHeader(2, 5, 1); meta.zigzag(0);
            meta.listHeader(3, 8, 1); meta.bytes(Buffer.from(names[i]));
            meta.i32(4, 0);
            meta.i64(5, c.values);
            meta.i64(6, c.bytes);
            meta.i64(7, c.bytes);
            meta.i64(9, c.offset);
          });
        }));
        meta.i64(2, g.cols.reduce((s, c) => s + c.bytes, 0));
        meta.i64(3, g.rows);
      });
    }
  });
  const footer = meta.buffer();
  const len = Buffer.alloc(4);
  len.writeUInt32LE(footer.length);
  chunks.push(footer, len, Buffer.from('PAR1'));
  return Buffer.concat(chunks);
}
