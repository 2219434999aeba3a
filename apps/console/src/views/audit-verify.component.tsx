import type { Audit } from '@switchboard/contracts';
import { useState } from 'preact/hooks';
import { describeError } from '../components/load.hook';
import { useSession } from '../context';
import { verifyWords } from '../model/audit-verify';

/**
 * The chain check, which says what it checked: a tenant admin's tenant; the platform operator's
 * whole trail, or the tenant `tenantId` names.
 */
export function AuditVerify(props: { tenantId: string }) {
  const { client, me } = useSession();
  const [verify, setVerify] = useState<{
    busy: boolean;
    result?: Audit.AuditVerifyResponse;
    error?: string;
  }>({ busy: false });
  const check = async () => {
    setVerify({ busy: true });
    try {
      const tenant = me.platformAdmin ? props.tenantId.trim() || undefined : undefined;
      setVerify({
        busy: false,
        result: await client.admin.verifyAudit(tenant),
      });
    } catch (e) {
      setVerify({ busy: false, error: describeError(e) });
    }
  };
  return (
    <div class="verify">
      <button type="button" disabled={verify.busy} onClick={() => void check()}>
        {verify.busy ? 'Verifying the chain…' : 'Verify the hash chain'}
      </button>
      <p role="status" aria-live="polite" class="verify-result">
        {verify.result && (
          <span class={verify.result.ok ? 'verify-ok' : 'error'}>
            {verifyWords(verify.result, me.tenancy)}
          </span>
        )}
        {verify.error}
      </p>
    </div>
  );
}
