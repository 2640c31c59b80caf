import { installOutboundGuard } from "./outbound-guard";

// Test output stays readable: the hub's own log shows warnings and errors only, unless asked.
process.env.LOG_LEVEL ??= "warn";

// Nothing a test runs may reach off this machine: the outbound-connection guard refuses it and the
// global teardown fails the run on anything it recorded (see outbound-guard.ts).
installOutboundGuard();
