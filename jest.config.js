/** Tests run the TypeScript sources directly (ts-jest, transpile only via isolatedModules; `npm run build` type-checks). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
  testPathIgnorePatterns: ['/node_modules/', '/fixtures/'],
};
