// Every workflow the worker registers (Temporal bundles this file). Workflow code imports activity *types* only.
export { provisionTenant } from './provision-tenant.js';
export { activateL1 } from './activate-l1.js';
export { l1Health } from './l1-health.js';
export { testL1Connection, rotateL2, revokeL1, offboardTenant } from './key-operations.js';
export { smokeWorkflow } from './smoke.js';
