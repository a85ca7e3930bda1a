import { ristretto255 } from "@noble/curves/ed25519.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import {
  type CpaceInputs,
  type CpaceMessage,
  type CpaceSession,
  calculateGenerator,
  cpaceConfirm,
  cpaceDeriveKey,
  cpaceFinish,
  cpaceStart,
  DSI,
  DSI_ISK,
  deriveIsk,
  deriveSidOutput,
  generatorString,
  IDENTITY,
  isLexicographicallyLarger,
  lvCat,
  oCat,
  prependLen,
  sampleScalar,
  scalarMult,
  scalarMultVfy,
  transcriptIr,
  transcriptOc,
} from "../../client/core/cpace.ts";

// Figures from draft-irtf-cfrg-cpace-21, appendix "Test vector for CPace using group ristretto255 and hash SHA-512".
const PRS = utf8ToBytes("Password");
const CI = hexToBytes("0b415f696e69746961746f720b425f726573706f6e646572");
const SID = hexToBytes("7e4b4791d6a8ef019b936c79fb7f2c57");
const GENERATOR_STRING = hexToBytes(
  "11435061636552697374726574746f3235350850617373776f726464" +
    "00000000000000000000000000000000000000000000000000000000" +
    "00000000000000000000000000000000000000000000000000000000" +
    "00000000000000000000000000000000000000000000000000000000" +
    "00000000000000000000000000000000180b415f696e69746961746f" +
    "720b425f726573706f6e646572107e4b4791d6a8ef019b936c79fb7f" +
    "2c57",
);
const GENERATOR_HASH =
  "da6d3ddc8802fca9058755ffd3ebde08a9c2c74945901a258482a288" +
  "b6663af06bf645c93cd1c51512307199c80e84908916d983b34af772" +
  "05f90851a657ee27";
const G = "222b6b195fe84b1652badb6f6a3ae3d24341e7306967f0b8115b40d5698c7e56";
const ADA = utf8ToBytes("ADa");
const YA_SCALAR = hexToBytes("da3d23700a9e5699258aef94dc060dfda5ebb61f02a5ea77fad53f4ff0976d08");
const YA = hexToBytes("d6bac480f2c386c394efc7c47adb9925dcd2630b64f240c50f8d0eec482b9157");
const ADB = utf8ToBytes("ADb");
const YB_SCALAR = hexToBytes("d2316b454718c35362d83d69df6320f38578ed5984651435e2949762d900b80d");
const YB = hexToBytes("3ea7e0b19560d7c0b0f5734f63b955286dfa8232b5ebe63324e2d9e7433f7258");
const K = hexToBytes("80b69a8a76457ab6a4d7f887a4bf6b55a2f80ac19c333f917a05fc9887c8b40f");
const TRANSCRIPT_IR =
  "20d6bac480f2c386c394efc7c47adb9925dcd2630b64f240c50f8d0e" +
  "ec482b915703414461203ea7e0b19560d7c0b0f5734f63b955286dfa" +
  "8232b5ebe63324e2d9e7433f725803414462";
const DSI_ISK_HEX = "435061636552697374726574746f3235355f49534b";
const ISK_INPUT_IR =
  "15435061636552697374726574746f3235355f49534b107e4b4791d6" +
  "a8ef019b936c79fb7f2c572080b69a8a76457ab6a4d7f887a4bf6b55" +
  "a2f80ac19c333f917a05fc9887c8b40f20d6bac480f2c386c394efc7" +
  "c47adb9925dcd2630b64f240c50f8d0eec482b915703414461203ea7" +
  "e0b19560d7c0b0f5734f63b955286dfa8232b5ebe63324e2d9e7433f" +
  "725803414462";
const ISK_IR =
  "b69effbf61b51d56401c0f65601abe428de8206feaaf0e32198896dc" +
  "ae7b35cd2b38950a39dfd5d4a79164614c2984f7daa460b588c1e80c" +
  "3fa2068af7900447";
const TRANSCRIPT_OC =
  "6f6320d6bac480f2c386c394efc7c47adb9925dcd2630b64f240c50f" +
  "8d0eec482b915703414461203ea7e0b19560d7c0b0f5734f63b95528" +
  "6dfa8232b5ebe63324e2d9e7433f725803414462";
const ISK_INPUT_OC =
  "15435061636552697374726574746f3235355f49534b107e4b4791d6" +
  "a8ef019b936c79fb7f2c572080b69a8a76457ab6a4d7f887a4bf6b55" +
  "a2f80ac19c333f917a05fc9887c8b40f6f6320d6bac480f2c386c394" +
  "efc7c47adb9925dcd2630b64f240c50f8d0eec482b91570341446120" +
  "3ea7e0b19560d7c0b0f5734f63b955286dfa8232b5ebe63324e2d9e7" +
  "433f725803414462";
const ISK_SY =
  "544199d71f62f8d9a1fee55727e24fe4a45844593c2b6013c4fa3969" +
  "d0e5debb2244675c0b43397cbb68d342b01fc0f98fc961469a25134d" +
  "e9f0f813c1a57476";
const SID_OUTPUT_IR =
  "bb1c449b35f0ea79a65c209f329a693d475e0ce2387bed9fe4b78f60" +
  "b2a27c219813fb2cfe175ef40d2222d9261e66da7d78f7c55a303b1b" +
  "8611dcdfab880c47";
const SID_OUTPUT_OC =
  "10d5941d4933497fe31b9188d690b84465e2a2d158332a7267284a07" +
  "1a8d0876fc5c8c329dc735d59a9f8ef6623ee23924704a2f929dd631" +
  "ca981227ee82fff2";
const S = hexToBytes("7cd0e075fa7955ba52c02759a6c90dbbfc10e6d40aea8d283e407d88cf538a05");
const X = hexToBytes("2c3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c");
const S_TIMES_X = "7c13645fe790a468f62c39beb7388e541d8405d1ade69d1778c5fe3e7f6b600e";
const Y_I1 = hexToBytes("2b3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c");
const Y_I2 = hexToBytes("0000000000000000000000000000000000000000000000000000000000000000");

const hex = bytesToHex;
const range = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);

describe("CPace string utilities (draft appendix, definitions and test vectors)", () => {
  it("prepend_len: the LEB128 length in front", () => {
    expect(hex(prependLen(new Uint8Array()))).toBe("00");
    expect(hex(prependLen(utf8ToBytes("1234")))).toBe("0431323334");
    expect(hex(prependLen(range(127)))).toBe(`7f${hex(range(127))}`);
    expect(hex(prependLen(range(128)))).toBe(`8001${hex(range(128))}`);
  });

  it("lv_cat", () => {
    const args = ["1234", "5", "", "678"].map(utf8ToBytes);
    expect(hex(lvCat(...args))).toBe("043132333401350003363738");
  });

  it("o_cat: the lexicographically larger string first, whatever the argument order", () => {
    expect(hex(oCat(utf8ToBytes("ABCD"), utf8ToBytes("BCD")))).toBe("6f6342434441424344");
    expect(hex(oCat(utf8ToBytes("BCD"), utf8ToBytes("ABCDE")))).toBe("6f634243444142434445");
    const larger = (a: number[], b: number[]) => isLexicographicallyLarger(Uint8Array.from(a), Uint8Array.from(b));
    expect(larger([0], [0, 0])).toBe(false);
    expect(larger([1], [0, 0])).toBe(true);
    expect(larger([0, 0], [0])).toBe(true);
    expect(larger([0, 0], [1])).toBe(false);
    expect(larger([0, 1], [1])).toBe(false);
    expect(larger([...utf8ToBytes("ABCD")], [...utf8ToBytes("BCD")])).toBe(false);
  });

  it("transcript_ir", () => {
    const [a, b] = [utf8ToBytes("PartyA"), utf8ToBytes("PartyB")];
    expect(hex(transcriptIr(utf8ToBytes("123"), a, utf8ToBytes("234"), b))).toBe(
      "03313233065061727479410332333406506172747942",
    );
    expect(hex(transcriptIr(utf8ToBytes("3456"), a, utf8ToBytes("2345"), b))).toBe(
      "043334353606506172747941043233343506506172747942",
    );
  });

  it("transcript_oc", () => {
    const [a, b] = [utf8ToBytes("PartyA"), utf8ToBytes("PartyB")];
    expect(hex(transcriptOc(utf8ToBytes("123"), a, utf8ToBytes("234"), b))).toBe(
      "6f6303323334065061727479420331323306506172747941",
    );
    expect(hex(transcriptOc(utf8ToBytes("3456"), a, utf8ToBytes("2345"), b))).toBe(
      "6f63043334353606506172747941043233343506506172747942",
    );
  });
});

describe("CPace-RISTR255-SHA512 (draft test vectors for group ristretto255 and hash SHA-512)", () => {
  it("calculate_generator: generator string, its hash and the encoded generator g", () => {
    expect(hex(DSI)).toBe("435061636552697374726574746f323535");
    const genStr = generatorString(DSI, PRS, CI, SID, 128);
    expect(hex(genStr)).toBe(hex(GENERATOR_STRING));
    expect(hex(genStr)).toBe(hex(lvCat(DSI, PRS, new Uint8Array(100), CI, SID)));
    expect(hex(sha512(genStr))).toBe(GENERATOR_HASH);
    expect(hex(calculateGenerator(PRS, CI, SID).toBytes())).toBe(G);
  });

  it("messages from A and B: Ya = ya*g, Yb = yb*g", () => {
    const g = calculateGenerator(PRS, CI, SID);
    expect(hex(scalarMult(YA_SCALAR, g))).toBe(hex(YA));
    expect(hex(scalarMult(YB_SCALAR, g))).toBe(hex(YB));
  });

  it("secret points K, the same from either side", () => {
    expect(hex(scalarMultVfy(YA_SCALAR, YB))).toBe(hex(K));
    expect(hex(scalarMultVfy(YB_SCALAR, YA))).toBe(hex(K));
  });

  it("ISK calculation initiator/responder", () => {
    const transcript = transcriptIr(YA, ADA, YB, ADB);
    expect(hex(transcript)).toBe(TRANSCRIPT_IR);
    expect(hex(DSI_ISK)).toBe(DSI_ISK_HEX);
    expect(hex(concatBytes(lvCat(DSI_ISK, SID, K), transcript))).toBe(ISK_INPUT_IR);
    expect(hex(deriveIsk(SID, K, transcript))).toBe(ISK_IR);
  });

  it("ISK calculation parallel execution", () => {
    const transcript = transcriptOc(YA, ADA, YB, ADB);
    expect(hex(transcript)).toBe(TRANSCRIPT_OC);
    expect(hex(transcriptOc(YB, ADB, YA, ADA))).toBe(TRANSCRIPT_OC);
    expect(hex(concatBytes(lvCat(DSI_ISK, SID, K), transcript))).toBe(ISK_INPUT_OC);
    expect(hex(deriveIsk(SID, K, transcript))).toBe(ISK_SY);
  });

  it("optional output of session id", () => {
    expect(hex(deriveSidOutput(transcriptIr(YA, ADA, YB, ADB)))).toBe(SID_OUTPUT_IR);
    expect(hex(deriveSidOutput(transcriptOc(YA, ADA, YB, ADB)))).toBe(SID_OUTPUT_OC);
  });

  it("scalar_mult with valid inputs", () => {
    expect(hex(scalarMult(S, ristretto255.Point.fromBytes(X)))).toBe(S_TIMES_X);
    expect(hex(scalarMultVfy(S, X))).toBe(S_TIMES_X);
  });

  it("invalid inputs for scalar_mult_vfy give G.I", () => {
    expect(hex(IDENTITY)).toBe(hex(Y_I2));
    expect(hex(scalarMultVfy(S, Y_I1))).toBe(hex(IDENTITY));
    expect(hex(scalarMultVfy(S, Y_I2))).toBe(hex(IDENTITY));
  });

  it("replays the whole run through cpaceStart and cpaceFinish with the draft's scalars", () => {
    const a = cpaceStart({ role: "initiator", prs: PRS, ci: CI, sid: SID, ad: ADA, random: () => YA_SCALAR });
    const b = cpaceStart({ role: "responder", prs: PRS, ci: CI, sid: SID, ad: ADB, random: () => YB_SCALAR });
    expect(hex(a.message.share)).toBe(hex(YA));
    expect(hex(b.message.share)).toBe(hex(YB));
    const atA = finished(cpaceFinish(a.state, b.message));
    const atB = finished(cpaceFinish(b.state, a.message));
    expect(hex(atA.isk)).toBe(ISK_IR);
    expect(hex(atB.isk)).toBe(ISK_IR);
  });

  it("aborts the run when a message carries Y_i1 or Y_i2, on either side", () => {
    const a = cpaceStart({ role: "initiator", prs: PRS, ci: CI, sid: SID, ad: ADA, random: () => YA_SCALAR });
    const b = cpaceStart({ role: "responder", prs: PRS, ci: CI, sid: SID, ad: ADB, random: () => YB_SCALAR });
    for (const share of [Y_I1, Y_I2]) {
      expect(cpaceFinish(a.state, { share, ad: ADB })).toEqual({ ok: false, code: "INVALID_POINT" });
      expect(cpaceFinish(b.state, { share, ad: ADA })).toEqual({ ok: false, code: "INVALID_POINT" });
    }
  });
});

function finished(result: ReturnType<typeof cpaceFinish>): CpaceSession {
  if (!result.ok) throw new Error(`expected a finished run, got ${result.code}`);
  return result;
}

type Side = Omit<CpaceInputs, "role">;

function handshake(customer: Side, technician: Side) {
  const a = cpaceStart({ role: "initiator", ...customer });
  const b = cpaceStart({ role: "responder", ...technician });
  const atA = finished(cpaceFinish(a.state, b.message));
  const atB = finished(cpaceFinish(b.state, a.message));
  return { a, b, atA, atB };
}

const customer: Side = { prs: utf8ToBytes("maple river owl"), ci: CI, sid: SID, ad: ADA };
const technician: Side = { ...customer, ad: ADB };

describe("a customer (initiator) and a technician (responder)", () => {
  it("agree on ISK with the same password and confirm each other", () => {
    const { atA, atB } = handshake(customer, technician);
    expect(hex(atA.isk)).toBe(hex(atB.isk));
    expect(atA.isk).toHaveLength(64);
    expect(cpaceConfirm(atB, atA.confirmation)).toEqual({ ok: true });
    expect(cpaceConfirm(atA, atB.confirmation)).toEqual({ ok: true });
  });

  it("tag the message each sent, as the draft's key confirmation section describes", () => {
    const { a, b, atA } = handshake(customer, technician);
    const macKey = sha512(concatBytes(utf8ToBytes("CPaceMac"), SID, atA.isk));
    expect(hex(atA.confirmation)).toBe(hex(hmac(sha512, macKey, lvCat(a.message.share, ADA))));
    expect(hex(atA.expectedConfirmation)).toBe(hex(hmac(sha512, macKey, lvCat(b.message.share, ADB))));
  });

  it.each([
    ["password", { prs: utf8ToBytes("maple river otter") }],
    ["channel identifier", { ci: utf8ToBytes("another channel") }],
    ["session id", { sid: hexToBytes("00112233445566778899aabbccddeeff") }],
  ])("derive different keys and fail confirmation both ways with a different %s", (_, change) => {
    const { atA, atB } = handshake(customer, { ...technician, ...change });
    expect(hex(atA.isk)).not.toBe(hex(atB.isk));
    expect(cpaceConfirm(atB, atA.confirmation)).toEqual({ ok: false, code: "CONFIRMATION_FAILED" });
    expect(cpaceConfirm(atA, atB.confirmation)).toEqual({ ok: false, code: "CONFIRMATION_FAILED" });
  });

  it("fail confirmation when the associated data was changed on the way", () => {
    const a = cpaceStart({ role: "initiator", ...customer });
    const b = cpaceStart({ role: "responder", ...technician });
    const atA = finished(cpaceFinish(a.state, b.message));
    const atB = finished(cpaceFinish(b.state, { ...a.message, ad: utf8ToBytes("ADx") }));
    expect(hex(atA.isk)).not.toBe(hex(atB.isk));
    expect(cpaceConfirm(atB, atA.confirmation).ok).toBe(false);
    expect(cpaceConfirm(atA, atB.confirmation).ok).toBe(false);
  });

  it("fail confirmation when someone in between swaps in a share of their own", () => {
    const a = cpaceStart({ role: "initiator", ...customer });
    const b = cpaceStart({ role: "responder", ...technician });
    const mallory = cpaceStart({ role: "initiator", ...customer, prs: utf8ToBytes("a guess") });
    const atB = finished(cpaceFinish(b.state, mallory.message));
    const atA = finished(cpaceFinish(a.state, b.message));
    expect(cpaceConfirm(atB, atA.confirmation).ok).toBe(false);
    expect(cpaceConfirm(atA, atB.confirmation).ok).toBe(false);
  });

  it("refuse a share with a bit flipped into a non-canonical encoding", () => {
    const a = cpaceStart({ role: "initiator", ...customer, random: () => YA_SCALAR });
    const b = cpaceStart({ role: "responder", ...technician, random: () => YB_SCALAR });
    const flipped = Uint8Array.from(b.message.share);
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(cpaceFinish(a.state, { ...b.message, share: flipped })).toEqual({ ok: false, code: "INVALID_POINT" });
  });

  it("refuse encodings that are not 32 bytes or not canonical", () => {
    const a = cpaceStart({ role: "initiator", ...customer });
    const notCanonical = [
      new Uint8Array(31),
      new Uint8Array(33),
      hexToBytes(`edff${"ff".repeat(29)}7f`),
      hexToBytes(`01${"00".repeat(31)}`),
    ];
    for (const share of notCanonical) {
      expect(hex(scalarMultVfy(S, share))).toBe(hex(IDENTITY));
      expect(cpaceFinish(a.state, { share, ad: ADB })).toEqual({ ok: false, code: "INVALID_POINT" });
    }
  });

  it("refuse their own message sent back, which would otherwise pass confirmation", () => {
    const a = cpaceStart({ role: "initiator", ...customer });
    const reflected: CpaceMessage = { ...a.message };
    expect(cpaceFinish(a.state, reflected)).toEqual({ ok: false, code: "REFLECTED_MESSAGE" });
  });

  it("refuse a confirmation tag of the wrong length", () => {
    const { atA, atB } = handshake(customer, technician);
    expect(cpaceConfirm(atA, atB.confirmation.subarray(0, 32)).ok).toBe(false);
    expect(cpaceConfirm(atA, new Uint8Array()).ok).toBe(false);
  });

  it("draw fresh scalars from the platform's CSPRNG by default", () => {
    const first = cpaceStart({ role: "initiator", ...customer });
    const second = cpaceStart({ role: "initiator", ...customer });
    expect(hex(first.message.share)).not.toBe(hex(second.message.share));
  });
});

describe("sample_scalar", () => {
  it("clears the bits above 252, so every scalar is below the group order", () => {
    const scalar = sampleScalar((count) => new Uint8Array(count).fill(0xff));
    expect(hex(scalar)).toBe(`${"ff".repeat(31)}0f`);
  });

  it("treats an all-zero draw as a broken random source", () => {
    expect(() => sampleScalar((count) => new Uint8Array(count))).toThrow();
  });
});

describe("keys derived from ISK", () => {
  const { atA, atB } = handshake(customer, technician);

  it("are the same on both sides for the same label, and differ between labels", () => {
    expect(hex(cpaceDeriveKey(atA.isk, "verification code"))).toBe(hex(cpaceDeriveKey(atB.isk, "verification code")));
    expect(hex(cpaceDeriveKey(atA.isk, "verification code"))).not.toBe(hex(cpaceDeriveKey(atA.isk, "seat key")));
  });

  it("have the length asked for", () => {
    expect(cpaceDeriveKey(atA.isk, "seat key")).toHaveLength(32);
    expect(cpaceDeriveKey(atA.isk, "verification code", 4)).toHaveLength(4);
  });
});
