import type { DomainContracts } from '../define.js';
import { ApprovalPolicyList, ApprovalPolicySet } from './approval-policy.contracts.js';
import {
  AuthorizationGrant,
  AuthorizationRevoke,
  AuthorizationsList,
} from './authorization.contracts.js';
import {
  MemoryDelete,
  MemoryForgetNamespace,
  MemoryForgetTenant,
  MemoryForgetUser,
  MemoryList,
  MemorySearch,
  MemoryUpdate,
} from './memory.contracts.js';
import { ToolsCall, ToolsCatalogue, ToolsManifest, ToolsSearch } from './tool.contracts.js';
import { ApprovalPoliciesChanged, ManifestsInvalidated, ToolsChanged } from './tools.events.js';

/** Every mcp-tools contract, for the catalogue. */
export const TOOLS_CONTRACTS: DomainContracts = {
  commands: [
    ToolsManifest,
    ToolsCall,
    ToolsCatalogue,
    ToolsSearch,
    AuthorizationsList,
    AuthorizationGrant,
    AuthorizationRevoke,
    ApprovalPolicyList,
    ApprovalPolicySet,
    MemorySearch,
    MemoryList,
    MemoryDelete,
    MemoryUpdate,
    MemoryForgetUser,
    MemoryForgetTenant,
    MemoryForgetNamespace,
  ],
  events: [ToolsChanged, ApprovalPoliciesChanged, ManifestsInvalidated],
};
