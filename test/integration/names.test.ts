import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { MeResponse, TechnicianList, TechnicianUpdated } from "#protocol/auth.ts";
import type { ErrorBody } from "#protocol/errors.ts";
import type { SessionSummary } from "#protocol/room.ts";
import { Browser, enrolledBrowser, insertInvite } from "../helpers/workers/passkey-api.ts";
import { createTechnician } from "../helpers/workers/technician.ts";
import { connect, createSession, ORIGIN, randomIp, seatProofOf } from "../helpers/workers/ws.ts";

// The names a customer reads before Allow: a technician's display name (at enrolment, in their own settings, by an
// admin) and a case number, held to protocol/names.ts's rule; an admin's edit and lock.

const RLO_NAME = "Tess \u202Etroppus tfosorciM";

async function describeSession(code: string): Promise<SessionSummary> {
  const res = await SELF.fetch(`${ORIGIN}/api/sessions/${code}`, {
    headers: { "CF-Connecting-IP": randomIp(), ...seatProofOf(code) },
  });
  expect(res.status).toBe(200);
  return res.json();
}

type Enrolled = Awaited<ReturnType<typeof enrolledBrowser>>;

async function idOf(browser: Enrolled): Promise<string> {
  return (await browser.call<MeResponse>("/api/me")).body.technician.id;
}

/** `admin` edits the technician `id` with PATCH /api/technicians/:id. */
function editTechnician<T>(admin: Enrolled, id: string, body: { name?: string; nameLocked?: boolean }) {
  return admin.call<T>(`/api/technicians/${id}`, { method: "PATCH", body });
}

describe("names at enrolment", () => {
  it.each([
    ["a right-to-left override", RLO_NAME, "U+202E"],
    ["a zero-width space", "Tess\u200BMicrosoft", "U+200B"],
    ["a zero-width joiner", "Te\u200Dss", "U+200D"],
    ["a C1 control", "Tess\u009B", "U+009B"],
    ["a Cyrillic T among Latin letters", "\u0422ess", "Cyrillic and Latin"],
  ])("refuses %s with INVALID_NAME before any passkey prompt", async (_, displayName, detail) => {
    const browser = new Browser();
    const res = await browser.call<ErrorBody>("/api/auth/register/options", {
      body: { invite: await insertInvite(), displayName },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("INVALID_NAME");
    expect(res.body.error.message).toContain(detail);
    // The message names the character; it never carries it.
    expect(res.body.error.message).toMatch(/^[\x20-\x7E]+$/);
  });

  it("stores the name composed (NFC) with its spaces folded, and takes Japanese and German names", async () => {
    for (const [typed, stored] of [
      ["Ju\u0308rgen\u00A0 Gro\u00DF", "Jürgen Groß"],
      ["山田\u3000太郎", "山田 太郎"],
      ["田中さくら", "田中さくら"],
    ]) {
      const browser = await enrolledBrowser({ name: typed });
      const me = await browser.call<MeResponse>("/api/me");
      expect(me.body.technician).toMatchObject({ name: stored, nameLocked: false });
    }
  });
});

describe("a technician's own name", () => {
  it("can be changed by them, under the same rule", async () => {
    const tech = await enrolledBrowser({ name: "Sam Self" });
    const renamed = await tech.call<TechnicianUpdated>("/api/me", {
      method: "PATCH",
      body: { name: " Sam  Selfridge " },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.technician).toMatchObject({ name: "Sam Selfridge", nameLocked: false });

    const refused = await tech.call<ErrorBody>("/api/me", { method: "PATCH", body: { name: RLO_NAME } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("INVALID_NAME");
    expect((await tech.call<MeResponse>("/api/me")).body.technician.name).toBe("Sam Selfridge");
  });

  it("is refused to anyone signed out, and checks Origin", async () => {
    const res = await SELF.fetch(`${ORIGIN}/api/me`, {
      method: "PATCH",
      headers: { Origin: ORIGIN, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "Nobody" }),
    });
    expect(res.status).toBe(401);
    const tech = await enrolledBrowser({ name: "Cross Site" });
    const cross = await tech.call("/api/me", { method: "PATCH", body: { name: "X" }, origin: "https://evil.example" });
    expect(cross.status).toBe(403);
  });
});

describe("admin: a technician's name", () => {
  it("is corrected and locked by an admin; the technician then cannot change it, and new sessions show it", async () => {
    const admin = await enrolledBrowser({ isAdmin: true, name: "Ada Admin" });
    const tech = await enrolledBrowser({ name: "Tess Microsoft support" });
    const techId = await idOf(tech);

    const edited = await editTechnician<TechnicianUpdated>(admin, techId, { name: "Tess Lane", nameLocked: true });
    expect(edited.status).toBe(200);
    expect(edited.body.technician).toEqual({ id: techId, name: "Tess Lane", isAdmin: false, nameLocked: true });
    const listed = (await admin.call<TechnicianList>("/api/technicians")).body.technicians.find((t) => t.id === techId);
    expect(listed).toMatchObject({ name: "Tess Lane", nameLocked: true });

    const locked = await tech.call<ErrorBody>("/api/me", { method: "PATCH", body: { name: "Tess Microsoft" } });
    expect(locked.status).toBe(403);
    expect(locked.body.error.code).toBe("NAME_LOCKED");
    const me = await tech.call<MeResponse>("/api/me");
    expect(me.body.technician).toMatchObject({ name: "Tess Lane", nameLocked: true });

    // The sign-in the technician already has reads the name as stored now: the next session shows the admin's edit.
    const res = await createSession(`tether_session=${tech.cookie}`);
    expect(res.status).toBe(201);
    const { code } = (await res.json()) as { code: string };
    expect((await describeSession(code)).technician?.name).toBe("Tess Lane");

    const unlocked = await editTechnician<TechnicianUpdated>(admin, techId, { nameLocked: false });
    expect(unlocked.body.technician).toMatchObject({ name: "Tess Lane", nameLocked: false });
    const again = await tech.call<TechnicianUpdated>("/api/me", { method: "PATCH", body: { name: "Tess L." } });
    expect(again.status).toBe(200);
  });

  it("is held to the rule for admins too, and an empty change is refused", async () => {
    const admin = await enrolledBrowser({ isAdmin: true, name: "Rae Ruler" });
    const tech = await enrolledBrowser({ name: "Plain Name" });
    const techId = await idOf(tech);
    const bad = await editTechnician<ErrorBody>(admin, techId, { name: "Plain\u2066Name", nameLocked: true });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("INVALID_NAME");
    const empty = await editTechnician<ErrorBody>(admin, techId, {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe("BAD_REQUEST");
    const missing = await editTechnician<ErrorBody>(admin, crypto.randomUUID(), { nameLocked: true });
    expect(missing.status).toBe(404);
    // Nothing changed.
    expect((await tech.call<MeResponse>("/api/me")).body.technician).toMatchObject({
      name: "Plain Name",
      nameLocked: false,
    });
  });

  it("cannot be edited or locked by a technician who is not an admin", async () => {
    const tech = await enrolledBrowser({ name: "Nosy Namer" });
    const other = await enrolledBrowser({ name: "Other Person" });
    const res = await tech.call<ErrorBody>(`/api/technicians/${await idOf(other)}`, {
      method: "PATCH",
      body: { name: "Hijacked", nameLocked: true },
    });
    expect(res.status).toBe(403);
    expect((await other.call<MeResponse>("/api/me")).body.technician.name).toBe("Other Person");
  });
});

describe("POST /api/sessions and the names a customer reads", () => {
  it("refuses a case number that breaks the rule, and stores a good one normalised", async () => {
    const { cookie } = await createTechnician("Case Keeper");
    for (const caseNumber of ["INC\u202E4321", "INC\u200B1", "INC-\u0406\u0399", "INC\u00071"]) {
      const res = await createSession(cookie, { caseNumber });
      expect(res.status, JSON.stringify(caseNumber)).toBe(400);
      expect(((await res.json()) as ErrorBody).error.code).toBe("INVALID_NAME");
    }
    const res = await createSession(cookie, { caseNumber: " INC-２" });
    expect(res.status).toBe(400);
    const good = await createSession(cookie, { caseNumber: "\u00A0Fall\u3000Nr. 12 " });
    expect(good.status).toBe(201);
    const { code } = (await good.json()) as { code: string };
    expect((await describeSession(code)).caseNumber).toBe("Fall Nr. 12");
  });

  it("will not show a customer a name stored before the rule, and says how to fix it", async () => {
    const { technician, cookie } = await createTechnician(RLO_NAME);
    const res = await createSession(cookie);
    expect(res.status).toBe(409);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe("INVALID_NAME");
    expect(body.error.message).toContain("Your display name contains a character that changes the direction");
    const sessions = await env.DB.prepare("SELECT count(*) AS n FROM sessions WHERE technician_id = ?")
      .bind(technician.id)
      .first("n");
    expect(sessions).toBe(0);
  });

  it("will not let a technician with such a name join a session, where the customer would read it", async () => {
    const { cookie: ownerCookie } = await createTechnician("Owner Fine");
    const created = await createSession(ownerCookie);
    const { code } = (await created.json()) as { code: string };
    const { cookie } = await createTechnician("Helper\u200BMicrosoft");
    const client = await connect(code, "technician", cookie);
    const refused = (await client.next("error")) as { code: string; message: string };
    expect(refused).toMatchObject({ code: "INVALID_NAME" });
    expect(refused.message).toContain("Your display name contains an invisible character (U+200B)");
    expect((await client.waitClosed()).code).toBe(1008);
  });

  it("shows the organisation configured, not one a technician gives", async () => {
    const { cookie } = await createTechnician("Org Check");
    const res = await createSession(cookie, { caseNumber: "INC-1", organisation: "Microsoft" });
    // The body is strict: a technician cannot name an organisation at all.
    expect(res.status).toBe(400);
    const ok = await createSession(cookie, { caseNumber: "INC-1" });
    const { code } = (await ok.json()) as { code: string };
    expect((await describeSession(code)).technician?.organisation).toBe(String(env.ORGANISATION ?? "Tether"));
  });
});
