import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { MeResponse } from "#protocol/auth.ts";
import type { SignInSweeper } from "../../durable-objects/sign-in-sweeper/SignInSweeper.ts";
import { SIGN_IN_SWEEPER_NAME } from "../../worker/workers-host.ts";
import { enrolledBrowser } from "../helpers/workers/passkey-api.ts";
import { createTechnician } from "../helpers/workers/technician.ts";

// Expired sign-ins are deleted by the SignInSweeper's alarm, whether or not their technician signs in again: times
// are moved by rewriting the stored expiry, and the alarm is run at once.

function sweeper() {
  return env.SIGN_IN_SWEEPER.get(env.SIGN_IN_SWEEPER.idFromName(SIGN_IN_SWEEPER_NAME));
}

function alarmOf(stub: DurableObjectStub<SignInSweeper>): Promise<number | null> {
  return runInDurableObject(stub, (_sweeper: SignInSweeper, state) => state.storage.getAlarm());
}

async function signInsOf(technicianId: string) {
  const { results } = await env.DB.prepare("SELECT id, expires_at FROM sign_ins WHERE technician_id = ?")
    .bind(technicianId)
    .all<{ id: string; expires_at: number }>();
  return results;
}

describe("the sign-in sweep", () => {
  it("is due by a new sign-in's expiry, deletes expired sign-ins at its alarm and re-arms for the earliest left", async () => {
    const browser = await enrolledBrowser({ name: "Ed Expired" });
    const me = (await browser.call<MeResponse>("/api/me")).body;
    const [signIn] = await signInsOf(me.technician.id);
    if (!signIn) throw new Error("the enrolment made no sign-in");
    const stub = sweeper();
    const armed = await alarmOf(stub);
    expect(armed).not.toBeNull();
    expect(armed).toBeLessThanOrEqual(signIn.expires_at);

    // Another technician's sign-in that is still live, and this one expired (its technician never comes back).
    const { technician: other } = await createTechnician("Lee Live");
    const [live] = await signInsOf(other.id);
    const expiredAt = Date.now() - 1_000;
    await env.DB.prepare("UPDATE sign_ins SET expires_at = ? WHERE id = ?").bind(expiredAt, signIn.id).run();

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await signInsOf(me.technician.id)).toEqual([]);
    expect(await signInsOf(other.id)).toEqual([live]);
    // The alarm waits for the earliest sign-in left, and does nothing before then.
    const { next } = (await env.DB.prepare("SELECT min(expires_at) AS next FROM sign_ins").first<{
      next: number;
    }>()) ?? { next: 0 };
    expect(await alarmOf(stub)).toBe(next);
    expect(next).toBeGreaterThan(Date.now());
  });

  it("is never moved later by a new sign-in, and stays off once no sign-in is left", async () => {
    const stub = sweeper();
    const soon = Date.now() + 60_000;
    await stub.dueBy(soon);
    await stub.dueBy(soon + 3_600_000);
    expect(await alarmOf(stub)).toBeLessThanOrEqual(soon);

    await env.DB.prepare("UPDATE sign_ins SET expires_at = ?")
      .bind(Date.now() - 1)
      .run();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM sign_ins").first<{ n: number }>()).toEqual({ n: 0 });
    expect(await alarmOf(stub)).toBeNull();
  });
});
