// The import boundaries between the layers, checked by `npm run lint` (and so by `npm test`):
//   depcruise lib functions infra --config .dependency-cruiser.cjs
// Paths are relative to the repository root; `to.path` is the resolved file (node_modules/… for a package, the
// bare name for a Node core module). Type-only imports count: a boundary is about what a module knows, not just
// what ends up in its bundle.

/** AWS and Lambda packages: the runtime SDKs, Powertools, the CDK and the Lambda event types. */
const AWS_PACKAGES = '^node_modules/(@aws-sdk/|@aws-lambda-powertools/|aws-cdk-lib/|constructs/|@types/aws-lambda/|aws-lambda/)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-imports-only-domain',
      comment:
        'lib/domain is the pure core: it imports other lib/domain modules and pure npm packages only, never the ' +
        'adapters, the use cases, the API, the CLI, the configuration, the Lambda entries, the CDK app or the tests.',
      severity: 'error',
      from: { path: '^lib/domain/' },
      to: { path: '^(lib|functions|infra|test)/', pathNot: '^lib/domain/' },
    },
    {
      name: 'domain-no-node-core',
      comment: 'lib/domain does no I/O and runs anywhere: no Node core modules (node:fs, crypto, …).',
      severity: 'error',
      from: { path: '^lib/domain/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'domain-no-aws',
      comment:
        'lib/domain has no AWS types: no @aws-sdk/*, @aws-lambda-powertools/*, aws-cdk-lib, constructs or ' +
        'aws-lambda. The adapters translate.',
      severity: 'error',
      from: { path: '^lib/domain/' },
      to: { path: AWS_PACKAGES },
    },
    {
      name: 'adapters-not-to-callers',
      comment: 'lib/adapters are called by the use cases, the API and the CLI; they do not call them back.',
      severity: 'error',
      from: { path: '^lib/adapters/' },
      to: { path: '^lib/(use-cases|api|cli)/' },
    },
    {
      name: 'use-cases-not-to-delivery',
      comment: 'lib/use-cases do not know how they are delivered: no lib/api, no lib/cli.',
      severity: 'error',
      from: { path: '^lib/use-cases/' },
      to: { path: '^lib/(api|cli)/' },
    },
    {
      name: 'lib-not-to-functions-or-infra',
      comment: 'lib is what functions and infra are built from; it imports neither.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(functions|infra)/' },
    },
    {
      name: 'functions-not-to-infra',
      comment: 'A Lambda entry is bundled on its own: it imports lib, never the CDK app or the local runner.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^infra/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles: a cycle makes module initialisation order matter and the layers meaningless.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve would fail at run time (or hides a dependency from these rules).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // The TypeScript compiler's view of the code: its module resolution, and imports that only carry types.
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    // Report a package import as the package, but do not crawl through node_modules.
    doNotFollow: { path: '(^|/)node_modules/' },
    exclude: { path: '(^|/)(cdk\\.out|dist|coverage)/' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    skipAnalysisNotInRules: true,
  },
};
