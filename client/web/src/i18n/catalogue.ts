import type * as en from "./catalogues/en.ts";

/** The shape of every language's catalogue, from the English one: a key missing from a translation fails tsc. */
export type Common = typeof en.common;
export type Customer = typeof en.customer;
export type Help = typeof en.help;
export type Technician = typeof en.technician;
export type AgentPage = typeof en.agentPage;
/** The native agent's terminal; not part of a page's Catalogue. */
export type Agent = typeof en.agent;
export type Catalogue = {
  common: Common;
  customer: Customer;
  help: Help;
  technician: Technician;
  agentPage: AgentPage;
};

/** The part of the catalogue a page shows besides `common`. */
export type Section = "customer" | "help" | "technician" | "agentPage";

export type { ClientErrorCode, NameField, Quality } from "./catalogues/en.ts";
