/**
 * A binary min-heap of (id, key) pairs in typed arrays, for the engine's hot loops (the heads of
 * inflow cohorts, the next loss prices of the open map): push, look at and replace or drop the
 * top, all O(log n) without allocating per operation.
 */
export class MinHeap {
  private ids = new Int32Array(64);
  private keys = new Float64Array(64);
  size = 0;

  topId(): number {
    return this.ids[0]!;
  }
  topKey(): number {
    return this.keys[0]!;
  }

  push(id: number, key: number): void {
    if (this.size === this.ids.length) {
      const ids = new Int32Array(this.size * 2);
      ids.set(this.ids);
      this.ids = ids;
      const keys = new Float64Array(this.size * 2);
      keys.set(this.keys);
      this.keys = keys;
    }
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent]! <= key) break;
      this.ids[i] = this.ids[parent]!;
      this.keys[i] = this.keys[parent]!;
      i = parent;
    }
    this.ids[i] = id;
    this.keys[i] = key;
  }

  pop(): void {
    const last = --this.size;
    if (last > 0) this.siftDown(this.ids[last]!, this.keys[last]!);
  }

  replaceTop(key: number): void {
    this.siftDown(this.ids[0]!, key);
  }

  private siftDown(id: number, key: number): void {
    const n = this.size;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.keys[c + 1]! < this.keys[c]!) c++;
      if (this.keys[c]! >= key) break;
      this.ids[i] = this.ids[c]!;
      this.keys[i] = this.keys[c]!;
      i = c;
    }
    this.ids[i] = id;
    this.keys[i] = key;
  }
}
