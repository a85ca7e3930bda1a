import { describe, expect, it } from "vitest";
import {
  consistencyProof,
  EMPTY_ROOT,
  Frontier,
  type Hash,
  inclusionProof,
  leafHash,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from "../../durable-objects/audit-log/merkle.ts";

// Figures published with transparency-dev/merkle (testonly/constants.go, testdata/*/happy-path.json), the RFC 6962
// test tree of eight leaves: only the figures are copied here.
const hex = (text: string) => Uint8Array.from(Buffer.from(text, "hex"));
const b64 = (text: string) => Uint8Array.from(Buffer.from(text, "base64"));
const LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map(
  (text) => leafHash(hex(text)),
);
const ROOTS = [
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
].map(hex);

const INCLUSION = [
  {
    index: 0,
    size: 8,
    proof: [
      "lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=",
      "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
      "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=",
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
      "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
      "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
    ],
  },
  { index: 2, size: 3, proof: ["+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU="] },
];

const CONSISTENCY = [
  { size1: 1, size2: 1, proof: [] },
  {
    size1: 1,
    size2: 8,
    proof: [
      "lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=",
      "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
      "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=",
    ],
  },
  {
    size1: 6,
    size2: 8,
    proof: [
      "DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=",
      "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
      "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
    ],
  },
  {
    size1: 2,
    size2: 5,
    proof: ["Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=", "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms="],
  },
  {
    size1: 6,
    size2: 7,
    proof: [
      "DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=",
      "sIaT7C5yFZcTBkHoIR5+7cy0wmQTlj7ubB4u0W/7Gl8=",
      "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
    ],
  },
];

const toB64 = (hashes: Hash[]) => hashes.map((h) => Buffer.from(h).toString("base64"));

describe("RFC 9162 Merkle tree", () => {
  it("gives the published root for every size from 0 to 8, in one go and leaf by leaf", () => {
    const frontier = new Frontier();
    expect(Buffer.from(EMPTY_ROOT)).toEqual(Buffer.from(ROOTS[0] as Hash));
    for (let size = 0; size <= 8; size++) {
      expect(Buffer.from(rootOf(LEAVES.slice(0, size))).toString("hex")).toBe(
        Buffer.from(ROOTS[size] as Hash).toString("hex"),
      );
      expect(Buffer.from(frontier.root()).toString("hex")).toBe(Buffer.from(ROOTS[size] as Hash).toString("hex"));
      if (size < 8) frontier.push(LEAVES[size] as Hash);
    }
  });

  it("makes and checks the published inclusion proofs", () => {
    for (const { index, size, proof } of INCLUSION) {
      expect(toB64(inclusionProof(LEAVES, index, size))).toEqual(proof);
      expect(verifyInclusion(LEAVES[index] as Hash, index, size, proof.map(b64), ROOTS[size] as Hash)).toBe(true);
    }
  });

  it("makes and checks the published consistency proofs", () => {
    for (const { size1, size2, proof } of CONSISTENCY) {
      expect(toB64(consistencyProof(LEAVES, size1, size2))).toEqual(proof);
      expect(verifyConsistency(size1, size2, proof.map(b64), ROOTS[size1] as Hash, ROOTS[size2] as Hash)).toBe(true);
    }
  });

  it("checks its own proofs for every index and pair of sizes up to 40 leaves, and refuses any altered one", () => {
    const leaves = Array.from({ length: 40 }, (_, i) => leafHash(new Uint8Array([i, i * 7])));
    const roots = Array.from({ length: 41 }, (_, n) => rootOf(leaves.slice(0, n)));
    const bad = new Uint8Array(32).fill(9);
    for (let size = 1; size <= 40; size++) {
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(leaves, index, size);
        const root = roots[size] as Hash;
        expect(verifyInclusion(leaves[index] as Hash, index, size, proof, root)).toBe(true);
        expect(verifyInclusion(bad, index, size, proof, root)).toBe(false);
        if (size > 1) expect(verifyInclusion(leaves[index] as Hash, (index + 1) % size, size, proof, root)).toBe(false);
        if (proof.length > 0)
          expect(verifyInclusion(leaves[index] as Hash, index, size, proof.slice(1), root)).toBe(false);
      }
      for (let size1 = 1; size1 <= size; size1++) {
        const proof = consistencyProof(leaves, size1, size);
        const [r1, r2] = [roots[size1] as Hash, roots[size] as Hash];
        expect(verifyConsistency(size1, size, proof, r1, r2)).toBe(true);
        if (size1 < size) {
          expect(verifyConsistency(size1, size, proof, bad, r2)).toBe(false);
          expect(verifyConsistency(size1, size, proof, r1, bad)).toBe(false);
          expect(verifyConsistency(size1, size, [...proof, bad], r1, r2)).toBe(false);
        }
      }
    }
  });

  it("restores a frontier from its nodes, and refuses nodes no tree has", () => {
    const frontier = new Frontier();
    for (const leaf of LEAVES.slice(0, 7)) frontier.push(leaf);
    const restored = Frontier.restore(frontier.nodes());
    expect(restored?.size).toBe(7);
    expect(Buffer.from(restored?.root() ?? new Uint8Array())).toEqual(Buffer.from(ROOTS[7] as Hash));
    const [four, two] = frontier.nodes() as [[number, Hash], [number, Hash]];
    expect(Frontier.restore([two, four])).toBeNull();
    expect(Frontier.restore([[3, four[1]]])).toBeNull();
    expect(Frontier.restore([[4, new Uint8Array(31)]])).toBeNull();
  });

  it("refuses out-of-range indexes and sizes", () => {
    expect(() => inclusionProof(LEAVES, 8, 8)).toThrow(RangeError);
    expect(() => consistencyProof(LEAVES, 5, 4)).toThrow(RangeError);
    expect(verifyInclusion(LEAVES[0] as Hash, 0, 0, [], EMPTY_ROOT)).toBe(false);
    expect(verifyConsistency(5, 4, [], ROOTS[5] as Hash, ROOTS[4] as Hash)).toBe(false);
  });
});
