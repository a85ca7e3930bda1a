import * as z from "zod/mini";
import { AuditEntry, AuditType } from "#protocol/audit.ts";
import { formatTime } from "../i18n/format.ts";
import { onLanguageChange, technicianText } from "../i18n/page.ts";
import { callApi } from "../lib/api.ts";
import { announce, byId, whileBusy } from "../lib/dom.ts";
import { technicianErrorText } from "../lib/errors.ts";

// The console's audit log, for admins: the newest entries first, filtered by session, technician, event and time,
// a page at a time ("Older entries" continues below). Entries are shown as the server stored them, as text only.

const section = byId("audit");
const form = byId("audit-filters", HTMLFormElement);
const session = byId("audit-session", HTMLInputElement);
const technician = byId("audit-technician", HTMLInputElement);
const type = byId("audit-type", HTMLSelectElement);
const since = byId("audit-since", HTMLInputElement);
const until = byId("audit-until", HTMLInputElement);
const list = byId("audit-entries", HTMLOListElement);
const empty = byId("audit-empty");
const more = byId("audit-more", HTMLButtonElement);

/** Entries per page. */
const PAGE = 50;

const T = () => technicianText().audit;

const Page = z.object({ entries: z.array(z.string()), next: z.nullable(z.int()) });

/** Where the next page ends (exclusive), or null when the last page is shown. */
let nextEnd: number | null = null;

function entryItem(line: string): HTMLLIElement {
  const item = document.createElement("li");
  let parsed: ReturnType<typeof AuditEntry.safeParse>;
  try {
    parsed = AuditEntry.safeParse(JSON.parse(line));
  } catch {
    parsed = AuditEntry.safeParse(null);
  }
  if (!parsed.success) {
    item.textContent = T().unreadable;
    return item;
  }
  const entry = parsed.data;
  const head = document.createElement("span");
  head.textContent = T().line(entry.seq, formatTime(entry.time), T().types[entry.type], entry.actor, entry.session);
  const data = document.createElement("span");
  data.className = "hint";
  data.textContent = Object.entries(entry.data)
    .map(([key, value]) => `${key} ${value === null ? T().noValue : String(value)}`)
    .join(", ");
  item.append(head, document.createElement("br"), data);
  return item;
}

/** The filters as query parameters. */
function query(end: number | null): URLSearchParams {
  const params = new URLSearchParams({ order: "desc", limit: String(PAGE) });
  if (session.value.trim()) params.set("session", session.value.trim());
  if (technician.value.trim()) params.set("technician", technician.value.trim());
  if (type.value) params.set("type", type.value);
  if (since.value) params.set("since", String(new Date(since.value).getTime()));
  if (until.value) params.set("until", String(new Date(until.value).getTime()));
  if (end !== null) params.set("end", String(end));
  return params;
}

/** Shows the first page for the filters, or (`isMore`) appends the next one. */
async function show(isMore: boolean): Promise<void> {
  if (session.value.trim() && !/^[0-9]{9}$/.test(session.value.trim())) return announce(() => T().badSession, true);
  const page = await callApi("GET", `/api/audit/entries?${query(isMore ? nextEnd : null)}`, Page);
  if (!page.ok) return announce(() => technicianErrorText(page), true);
  const items = page.data.entries.map(entryItem);
  if (isMore) list.append(...items);
  else list.replaceChildren(...items);
  nextEnd = page.data.next;
  more.hidden = nextEnd === null;
  empty.hidden = list.childElementCount > 0;
}

/** The event filter's options, named in the page's language; the choice stays. */
function fillTypes(): void {
  const chosen = type.value;
  type.replaceChildren(new Option(T().anyType, ""), ...AuditType.options.map((t) => new Option(T().types[t], t)));
  type.value = chosen;
}

/** Shows the audit log section and its newest entries (admins only; the server checks on every call). */
export async function loadAuditPanel(): Promise<void> {
  if (type.options.length === 0) {
    fillTypes();
    onLanguageChange(fillTypes);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void whileBusy(byId("audit-show", HTMLButtonElement), () => show(false));
    });
    more.addEventListener("click", () => void whileBusy(more, () => show(true)));
  }
  section.hidden = false;
  await show(false);
}
