// Test output stays readable: the hub's own log shows warnings and errors only, unless asked.
process.env.LOG_LEVEL ??= "warn";
