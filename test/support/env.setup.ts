// Before each test file: quiet logs and the local bearer tokens the API tests use.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.AUTH_MODE = 'tokens';
process.env.API_TOKENS = JSON.stringify({
  'test-ticketing': { subject: 'ticket-tool', roles: ['ticketing'] },
  'test-reviewer': { subject: 'rita.reviewer', roles: ['reviewer'] },
  'test-auditor': { subject: 'audrey.auditor', roles: ['auditor'] },
  'test-billing': { subject: 'billing-system', roles: ['billing'] },
});
