import { sha256 } from "@noble/hashes/sha2.js";

// The Merkle tree of RFC 9162 §2.1 (as RFC 6962): leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left ||
// right), the left subtree of n leaves holding the largest power of two smaller than n. Inclusion and consistency
// proofs are made and checked by the RFC's algorithms (§2.1.3, §2.1.4). Tree sizes stay far below 2^53, so plain
// numbers with division (not 32-bit shifts) carry them.

export type Hash = Uint8Array;

/** The hash of a leaf whose content is `entry`. */
export function leafHash(entry: Uint8Array): Hash {
  const input = new Uint8Array(entry.length + 1);
  input[0] = 0x00;
  input.set(entry, 1);
  return sha256(input);
}

/** The hash of an interior node. */
export function nodeHash(left: Hash, right: Hash): Hash {
  const input = new Uint8Array(65);
  input[0] = 0x01;
  input.set(left, 1);
  input.set(right, 33);
  return sha256(input);
}

/** The root of the empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT: Hash = sha256(new Uint8Array(0));

/** The largest power of two smaller than n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[lo:hi]) over leaf hashes. */
function subtreeRoot(leaves: readonly Hash[], lo: number, hi: number): Hash {
  const n = hi - lo;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leaves[lo] as Hash;
  const k = split(n);
  return nodeHash(subtreeRoot(leaves, lo, lo + k), subtreeRoot(leaves, lo + k, hi));
}

/** The root of the tree whose leaves have the hashes `leaves`. */
export function rootOf(leaves: readonly Hash[]): Hash {
  return subtreeRoot(leaves, 0, leaves.length);
}

/** PATH(m, D[lo:hi]) of RFC 9162 §2.1.3.1. */
function path(m: number, leaves: readonly Hash[], lo: number, hi: number): Hash[] {
  const n = hi - lo;
  if (n <= 1) return [];
  const k = split(n);
  if (m < k) return [...path(m, leaves, lo, lo + k), subtreeRoot(leaves, lo + k, hi)];
  return [...path(m - k, leaves, lo + k, hi), subtreeRoot(leaves, lo, lo + k)];
}

/** The inclusion proof of leaf `index` in the tree of the first `size` leaves. */
export function inclusionProof(leaves: readonly Hash[], index: number, size: number): Hash[] {
  if (!(index >= 0 && index < size && size <= leaves.length)) throw new RangeError("index or size out of range");
  return path(index, leaves, 0, size);
}

/** SUBPROOF(m, D[lo:hi], b) of RFC 9162 §2.1.4.1. */
function subproof(m: number, leaves: readonly Hash[], lo: number, hi: number, isComplete: boolean): Hash[] {
  const n = hi - lo;
  if (m === n) return isComplete ? [] : [subtreeRoot(leaves, lo, hi)];
  const k = split(n);
  if (m <= k) return [...subproof(m, leaves, lo, lo + k, isComplete), subtreeRoot(leaves, lo + k, hi)];
  return [...subproof(m - k, leaves, lo + k, hi, false), subtreeRoot(leaves, lo, lo + k)];
}

/** The consistency proof from the tree of the first `size1` leaves to that of the first `size2`. */
export function consistencyProof(leaves: readonly Hash[], size1: number, size2: number): Hash[] {
  if (!(size1 >= 0 && size1 <= size2 && size2 <= leaves.length)) throw new RangeError("sizes out of range");
  if (size1 === 0 || size1 === size2) return [];
  return subproof(size1, leaves, 0, size2, true);
}

/** Constant-length comparison of two hashes. */
export function equalHashes(a: Hash, b: Hash): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

const isOdd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/**
 * The loop that both proof checks share (RFC 9162 §2.1.3.2 and §2.1.4.2): walks up from the node at index `fn` of a
 * level whose last index is `sn`, calling `onLeft` with each proof hash that is a left sibling and `onRight` with
 * each that is a right one. True when the proof ends exactly at the root.
 */
function walkProof(
  fn: number,
  sn: number,
  proof: readonly Hash[],
  onLeft: (sibling: Hash) => void,
  onRight: (sibling: Hash) => void,
): boolean {
  for (const sibling of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      onLeft(sibling);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      onRight(sibling);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0;
}

/** Whether `proof` shows the leaf `leaf` at `index` in the tree of `size` leaves with root `root` (§2.1.3.2). */
export function verifyInclusion(leaf: Hash, index: number, size: number, proof: readonly Hash[], root: Hash): boolean {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return false;
  let r = leaf;
  const isWhole = walkProof(
    index,
    size - 1,
    proof,
    (sibling) => {
      r = nodeHash(sibling, r);
    },
    (sibling) => {
      r = nodeHash(r, sibling);
    },
  );
  return isWhole && equalHashes(r, root);
}

/** Whether `proof` shows the tree (`size2`, `root2`) extends the tree (`size1`, `root1`) (§2.1.4.2). */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Hash[],
  root1: Hash,
  root2: Hash,
): boolean {
  if (!(Number.isSafeInteger(size1) && Number.isSafeInteger(size2) && size1 >= 0 && size1 <= size2)) return false;
  if (size1 === size2) return proof.length === 0 && equalHashes(root1, root2);
  // Every tree extends the empty one.
  if (size1 === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  // A first tree that is a complete subtree is its own first node of the path.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Hash;
  let sr = path[0] as Hash;
  const isWhole = walkProof(
    fn,
    sn,
    path.slice(1),
    (sibling) => {
      fr = nodeHash(sibling, fr);
      sr = nodeHash(sibling, sr);
    },
    (sibling) => {
      sr = nodeHash(sr, sibling);
    },
  );
  return isWhole && equalHashes(fr, root1) && equalHashes(sr, root2);
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

/**
 * The tree as its perfect subtrees' roots, left to right (a compact range from 0): enough to append a leaf and to
 * compute the root, in O(log n) memory.
 */
export class Frontier {
  private readonly subtrees: { size: number; hash: Hash }[] = [];
  private count = 0;

  /** How many leaves the tree holds. */
  get size(): number {
    return this.count;
  }

  /** Appends a leaf hash. */
  push(leaf: Hash): void {
    let node = { size: 1, hash: leaf };
    let last = this.subtrees.at(-1);
    while (last && last.size === node.size) {
      this.subtrees.pop();
      node = { size: last.size * 2, hash: nodeHash(last.hash, node.hash) };
      last = this.subtrees.at(-1);
    }
    this.subtrees.push(node);
    this.count += 1;
  }

  /** The perfect subtrees, left to right, as [size, hash] pairs: what `restore` takes back. */
  nodes(): [number, Hash][] {
    return this.subtrees.map((node) => [node.size, node.hash]);
  }

  /** A frontier from `nodes()`; null unless every size is a power of two smaller than the one before it. */
  static restore(nodes: readonly (readonly [number, Hash])[]): Frontier | null {
    const frontier = new Frontier();
    let previous = Number.POSITIVE_INFINITY;
    for (const [size, hash] of nodes) {
      if (!Number.isSafeInteger(size) || size < 1 || !isPowerOfTwo(size) || size >= previous) return null;
      if (hash.length !== 32) return null;
      previous = size;
      frontier.subtrees.push({ size, hash });
      frontier.count += size;
    }
    return frontier;
  }

  /** An independent copy. */
  copy(): Frontier {
    const copy = new Frontier();
    copy.subtrees.push(...this.subtrees);
    copy.count = this.count;
    return copy;
  }

  /** The root of the tree as it is now. */
  root(): Hash {
    let root: Hash | undefined;
    for (let i = this.subtrees.length - 1; i >= 0; i--) {
      const node = this.subtrees[i] as { hash: Hash };
      root = root === undefined ? node.hash : nodeHash(node.hash, root);
    }
    return root ?? EMPTY_ROOT;
  }
}
