/** @type {import('jest').Config} */
module.exports = {
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // The benchmark's peer gateways have an install of their own there; nothing in it is the hub's.
  modulePathIgnorePatterns: ["<rootDir>/test/bench/peers/"],
  // Transpile only (isolatedModules): `npm test` type-checks everything with tsc before jest runs.
  transform: {
    "^.+\\.ts$": [
      "ts-jest",
      {
        tsconfig: {
          target: "ES2022",
          module: "commonjs",
          esModuleInterop: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          useDefineForClassFields: false,
          isolatedModules: true,
        },
      },
    ],
  },
  testEnvironment: "node",
  globalSetup: "<rootDir>/test/support/global-setup.ts",
  globalTeardown: "<rootDir>/test/support/global-teardown.ts",
  setupFiles: ["<rootDir>/test/support/env.ts"],
  testTimeout: 60000,
  maxWorkers: 2,
};
