import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import * as de from "../../client/web/src/i18n/catalogues/de.ts";
import * as ja from "../../client/web/src/i18n/catalogues/ja.ts";
import { addVirtualAuthenticator } from "../helpers/node/browser.ts";
import { createSession, newPerson, open, type Person, SESSION_LINK, textOf } from "../helpers/node/people.ts";
import { useStage } from "../helpers/node/stage.ts";

// The pages speak the browser's language (German, Japanese; English otherwise), say so in <html lang>, write dates in
// its form, and switch with the page's language selector, which the browser remembers. A customer reads the scam
// warning and the end of their session in their language; a technician's console, viewer and errors are in theirs.
// Expected text comes from the catalogues themselves, so a rewording changes one place.

const stage = useStage("Lena Lang", { vars: { MAX_SESSIONS_PER_TECHNICIAN: "50" } });

async function personIn(locale?: string): Promise<Person> {
  const person = await newPerson(stage.browser, stage.server, locale);
  stage.people.push(person);
  return person;
}

function htmlLang(page: Page): Promise<string | null> {
  return page.locator("html").getAttribute("lang");
}

const languages = [
  ["German", "de-DE", "de", de, /^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}$/],
  ["Japanese", "ja-JP", "ja", ja, /^\d{4}\/\d{2}\/\d{2} \d{1,2}:\d{2}$/],
] as const;

describe("languages", () => {
  it.each(languages)("shows the customer's consent, warning and end in %s", async (_, locale, tag, text, date) => {
    const link = await createSession(stage.technician.page, "CASE-1");
    const customer = await personIn(locale);
    await open(customer.page, link);
    const { markup } = text.customer;
    const consent = customer.page.getByRole("region", { name: markup["consent.title"] });
    await consent.getByText("Lena Lang", { exact: true }).waitFor();
    await expect.poll(() => htmlLang(customer.page)).toBe(tag);
    expect(await customer.page.title()).toBe(markup["join.title"]);
    expect(await textOf(consent)).toContain(`${markup["consent.warningStrong"]} ${markup["consent.warning"]}`);
    // Dates in the language's own form, through Intl.
    expect(await textOf(consent.locator("#expires"))).toMatch(date);

    await customer.page.getByRole("button", { name: markup["consent.decline"] }).click();
    const ended = customer.page.getByRole("region", { name: markup["ended.title"] });
    await ended.waitFor();
    expect(await textOf(ended.locator("#ended-reason"))).toBe(text.customer.ended.declined);
  });

  it("switches language with the page's selector, redraws what is shown, and remembers the choice", async () => {
    const link = await createSession(stage.technician.page);
    const customer = await personIn();
    await open(customer.page, link);
    await customer.page.getByRole("region", { name: "Who is asking to see your screen" }).waitFor();
    await expect.poll(() => htmlLang(customer.page)).toBe("en");

    await customer.page.getByLabel("Language").selectOption("ja");
    const { markup } = ja.customer;
    await customer.page.getByRole("heading", { name: markup["consent.title"] }).waitFor();
    await expect.poll(() => htmlLang(customer.page)).toBe("ja");
    // Text drawn from the session's state is redrawn too, not only the page's static text.
    await expect
      .poll(() => textOf(customer.page.locator("#technician-presence")))
      .toBe(ja.customer.notJoined("Lena Lang"));
    expect(await textOf(customer.page.locator("#technician-from"))).toBe("Tether の Lena Lang");

    // The home page, later, in the same browser: the choice holds, and survives a reload.
    await open(customer.page, "/");
    await customer.page.getByRole("button", { name: ja.help.markup["home.getHelp"] }).waitFor();
    await expect.poll(() => htmlLang(customer.page)).toBe("ja");
    await customer.page.reload();
    await customer.page.getByRole("button", { name: ja.help.markup["home.getHelp"] }).waitFor();
    expect(await customer.page.getByLabel(ja.common.language).inputValue()).toBe("ja");

    await customer.page.getByLabel(ja.common.language).selectOption("en");
    await customer.page.getByRole("button", { name: "Get help" }).waitFor();
    await expect.poll(() => htmlLang(customer.page)).toBe("en");
  });

  it("shows a technician the console, viewer and errors in German", async () => {
    const tech = await personIn("de-DE");
    const { markup } = de.technician;
    await addVirtualAuthenticator(tech.page);
    await open(tech.page, await stage.server.mintEnrolment({ isAdmin: false }));
    await expect.poll(() => htmlLang(tech.page)).toBe("de");
    await tech.page.getByLabel(markup["enrol.name"]).fill("Greta Gruber");
    await tech.page.getByRole("button", { name: markup["enrol.create"] }).click();
    await tech.page.waitForURL("/console");
    await tech.page.getByText(de.technician.console.signedInAs("Greta Gruber", false), { exact: true }).waitFor();
    await tech.page.getByRole("heading", { name: markup["console.heading"], level: 1 }).waitFor();
    await expect.poll(() => htmlLang(tech.page)).toBe("de");

    // A refused case number, worded here from the error's code, in German, naming the character.
    await tech.page.getByLabel(markup["newSession.caseNumber"]).fill("A\u202EB");
    await tech.page.getByRole("button", { name: markup["newSession.create"] }).click();
    await expect
      .poll(() => textOf(tech.page.getByRole("status")))
      .toBe(de.technician.nameProblem("caseNumber", { kind: "direction", at: "U+202E" }));

    await tech.page.getByLabel(markup["newSession.caseNumber"]).fill("");
    await tech.page.getByRole("button", { name: markup["newSession.create"] }).click();
    await expect
      .poll(() => tech.page.getByLabel(markup["newSession.link"], { exact: true }).inputValue())
      .toMatch(SESSION_LINK);
    await tech.page.getByRole("link", { name: markup["newSession.view"] }).click();
    await tech.page.getByRole("heading", { name: /^Sitzung \d{3} \d{3} \d{3}$/ }).waitFor();
    await tech.page.getByText(de.technician.viewer.customer.notYet).waitFor();
    await tech.page.getByRole("button", { name: markup["viewer.end"] }).waitFor();
  });
});
