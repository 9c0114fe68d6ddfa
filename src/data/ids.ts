/**
 * Branded ids. MovieLens ids in the files are sparse and 1-based ("raw" ids); every array in MetaRec
 * Lab is indexed by dense 0-based indices. The brands make it a compile error to use one for the other;
 * conversion goes only through IdMap.
 */
declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type RawUserId = Brand<number, 'RawUserId'>;
export type RawItemId = Brand<number, 'RawItemId'>;
export type UserIndex = Brand<number, 'UserIndex'>;
export type ItemIndex = Brand<number, 'ItemIndex'>;

/** Maps raw ids (as written in the files) to dense indices 0..n-1 and back. */
export class IdMap<Raw extends number, Index extends number> {
  private readonly toIndex = new Map<number, number>();
  /** rawIds[index] = raw id. */
  readonly rawIds: Int32Array;

  constructor(rawIds: Int32Array) {
    this.rawIds = rawIds;
    for (let i = 0; i < rawIds.length; i++) this.toIndex.set(rawIds[i]!, i);
  }

  get size(): number {
    return this.rawIds.length;
  }

  /** Dense index of a raw id, or -1 when the id is unknown. */
  indexOf(raw: Raw | number): Index | -1 {
    const i = this.toIndex.get(raw);
    return i === undefined ? -1 : (i as Index);
  }

  rawOf(index: Index | number): Raw {
    const raw = this.rawIds[index];
    if (raw === undefined)
      throw new RangeError(`Expected an index in 0..${this.rawIds.length - 1}, got ${index}`);
    return raw as Raw;
  }
}

export type UserIdMap = IdMap<RawUserId, UserIndex>;
export type ItemIdMap = IdMap<RawItemId, ItemIndex>;

export const asUserIndex = (i: number): UserIndex => i as UserIndex;
export const asItemIndex = (i: number): ItemIndex => i as ItemIndex;
