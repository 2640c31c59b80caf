import { Clock } from "../../subgraphs/shared/clock";
import { stockholmDate } from "../../subgraphs/shared/domain/calendar";

/**
 * A hub's clock that a test moves by whole days, for stories told over weeks in one run (a patient
 * who regrets two weeks later, care read seven months after it was given). Only the day moves:
 * the instants the hub records (`occurredAt`) stay real.
 */
export class TestClock implements Clock {
  private daysAhead = 0;

  /** From now on the hub's "today" is `days` days after the real one (0: the real day again). */
  setDaysAhead(days: number): void {
    this.daysAhead = days;
  }

  today(): string {
    return stockholmDate(new Date(Date.now() + this.daysAhead * 86_400_000));
  }
}
