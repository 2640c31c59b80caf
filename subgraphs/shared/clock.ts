/**
 * Where the hub learns what day it is. The care guarantee, offer expiry and every date a request
 * is checked against depend on "today"; reading it through a `Clock` handed down from the start
 * options (gateway, subgraphs, their runtimes' sweeps) rather than from the system clock wherever
 * it is needed lets a caller decide which day the hub lives on: the real one in every process, a
 * day the test moves in a story told over weeks.
 */

import { stockholmDate } from "./domain/calendar";

export interface Clock {
  /** The calendar date (YYYY-MM-DD) in Stockholm now. */
  today(): string;
}

/** The real day. */
export const systemClock: Clock = { today: () => stockholmDate() };
