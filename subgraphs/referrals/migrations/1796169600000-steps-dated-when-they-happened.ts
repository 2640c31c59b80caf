import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Steps dated when they happened: an office records a patient's answer it heard of by phone days
 * later, a provider records when it sent an offer. Each step keeps the day it happened outside
 * the hub (`happened_on`) beside the moment it was recorded (`occurred_at`) and by whom; steps
 * recorded before this change happened the day they were recorded (Swedish time).
 */
export class StepsDatedWhenTheyHappened1796169600000 implements MigrationInterface {
  name = "StepsDatedWhenTheyHappened1796169600000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE referrals.referral_transition ADD COLUMN happened_on date;
      UPDATE referrals.referral_transition SET happened_on = (occurred_at AT TIME ZONE 'Europe/Stockholm')::date;
      ALTER TABLE referrals.referral_transition ALTER COLUMN happened_on SET NOT NULL;
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE referrals.referral_transition DROP COLUMN happened_on;`);
  }
}
