import type { ErrorCode } from "#protocol/errors.ts";
import { findNameProblem, normaliseName } from "#protocol/names.ts";
import type { ClientErrorCode, NameField } from "../i18n/catalogue.ts";
import { formatScript } from "../i18n/format.ts";
import { commonText, technicianText } from "../i18n/page.ts";
import type { PasskeyErrorCode } from "./passkey.ts";

// Pages show their own text for every error code, in the reader's language; the server's English message is for its
// logs. Each function here words a failure the logic reported as a code.

/** Every error code a client can meet. */
type AnyErrorCode = ErrorCode | ClientErrorCode;

/**
 * A failure's own text for its code, on any page: every page has the text of the codes a customer's page can meet
 * (`common.errors`). A code only a technician's request can meet (`technician.errors`, which no customer's page
 * bundles) never reaches a customer's page; should one, it reads as an error of Tether's.
 */
export function errorText(failure: { code: AnyErrorCode }): string {
  const errors: Partial<Record<AnyErrorCode, string>> = commonText().errors;
  return errors[failure.code] ?? commonText().errors.INTERNAL;
}

/** A failure's own text for its code, on a technician's page: their own codes too. */
export function technicianErrorText(failure: { code: AnyErrorCode }): string {
  const errors: Partial<Record<AnyErrorCode, string>> = technicianText().errors;
  return errors[failure.code] ?? errorText(failure);
}

/** What a name (or case number) the server refused as INVALID_NAME, and the reader typed, is to be told. */
export type TypedName = { field: NameField; typed: string };

/**
 * A failure's text, with what is wrong with a refused name worded from the same rule the server applied
 * (#protocol/names.ts), so the reader learns which character, in their language.
 */
export function nameErrorText(failure: { code: ErrorCode | ClientErrorCode }, name: TypedName): string {
  const problem = failure.code === "INVALID_NAME" ? findNameProblem(normaliseName(name.typed)) : null;
  if (!problem) return technicianErrorText(failure);
  if (problem.kind !== "mixedScripts") return technicianText().nameProblem(name.field, problem);
  const [first, second] = problem.scripts;
  return technicianText().nameProblem(name.field, { ...problem, scripts: [formatScript(first), formatScript(second)] });
}

/** A passkey ceremony's failure: the browser's part, or the server's code (a name refused at enrolment). */
export function passkeyFailureText(
  failure: { code: ErrorCode | ClientErrorCode | PasskeyErrorCode },
  name?: TypedName,
): string {
  const text = technicianText().passkeyError;
  switch (failure.code) {
    case "PASSKEY_CANCELLED":
      return text.cancelled;
    case "PASSKEY_EXISTS":
      return text.exists;
    case "PASSKEY_FAILED":
      return text.failed;
    default:
      return name ? nameErrorText({ code: failure.code }, name) : technicianErrorText({ code: failure.code });
  }
}
