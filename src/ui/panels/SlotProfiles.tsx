/**
 * What distinguishes each memory slot's users: the gender, age and occupation distributions of the
 * users whose dominant slot it is, beside those of all evaluated users. Slots with too few users, or
 * near-uniform attention, are labelled as such instead of being described by noise.
 */
import type { AttentionStats, SlotProfile } from './memoryStats';
import { MIN_SLOT_USERS } from './memoryStats';

const pct = (x: number) => `${Math.round(x * 100)}%`;

function Values({ profile, field, reference }: { profile: SlotProfile; field: number; reference: boolean }) {
  const values = profile.fields[field]?.values ?? [];
  return (
    <td>
      {values.map((v) => (
        <div
          key={v.value}
          className="share"
          title={`${pct(v.share)} of these users; ${v.lift.toFixed(2)}x the value's share among all evaluated users`}
        >
          <span className="share-bar" style={{ width: `${Math.round(v.share * 40)}px` }} />
          {v.value} <span className="muted">{pct(v.share)}</span>
          {!reference && <span className={v.lift >= 1.5 ? 'lift high' : 'lift'}> ×{v.lift.toFixed(1)}</span>}
        </div>
      ))}
    </td>
  );
}

export function SlotProfiles({
  slots,
  overall,
  stats,
}: {
  slots: readonly SlotProfile[];
  overall: SlotProfile;
  stats: AttentionStats;
}) {
  return (
    <>
      <table className="table compact slot-table" data-testid="slot-profiles">
        <thead>
          <tr>
            <th>slot</th>
            <th title="users whose largest attention weight is on this slot">users</th>
            <th title="mean attention weight of the slot over all evaluated users">mean a</th>
            <th>gender</th>
            <th>age</th>
            <th>occupation</th>
          </tr>
        </thead>
        <tbody>
          {slots.map((p) => (
            <tr key={p.slot} data-testid="slot-row">
              <th scope="row">{p.slot + 1}</th>
              <td>{p.users}</td>
              <td>{stats.slotMeans[p.slot]?.toFixed(3)}</td>
              {p.users >= MIN_SLOT_USERS ? (
                [0, 1, 2].map((f) => <Values key={f} profile={p} field={f} reference={false} />)
              ) : (
                <td colSpan={3} className="muted">
                  {p.users === 0
                    ? 'no user reads this slot most'
                    : `${p.users} user${p.users > 1 ? 's' : ''}: too few to describe`}
                </td>
              )}
            </tr>
          ))}
          <tr className="reference">
            <th scope="row">all</th>
            <td>{overall.users}</td>
            <td>{stats.uniform.toFixed(3)}</td>
            {[0, 1, 2].map((f) => (
              <Values key={f} profile={overall} field={f} reference />
            ))}
          </tr>
        </tbody>
      </table>
      <p className="hint">
        Users are grouped by their dominant slot; per field, the most common values with their share and ×
        lift (share among the slot's users / share among all evaluated users, last row; uniform attention
        would give mean a = {stats.uniform.toFixed(3)}).
        {stats.nearUniform && ' Attention is near-uniform, so these groups reflect tiny weight differences.'}
      </p>
    </>
  );
}
