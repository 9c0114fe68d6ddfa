/**
 * Be the new user: rate a handful of movies of the loaded data (and optionally give a profile); the
 * trained model adapts to those ratings on the spot and shows its top recommendations and, for MAMO,
 * which memory slots this new user reads.
 */
import { useMemo, useState } from 'react';
import type { DatasetSummary } from '../../data/summary';
import type { NewUserProfile, Recommendations } from '../../worker/protocol';
import { Callout } from '../components/Callout';

interface Props {
  readonly summary: DatasetSummary | null;
  readonly ready: boolean;
  readonly recommend: (
    profile: NewUserProfile,
    ratings: readonly { item: number; rating: number }[],
    count: number,
  ) => Promise<Recommendations>;
}

export function NewUserPanel({ summary, ready, recommend }: Props) {
  const [search, setSearch] = useState('');
  const [ratings, setRatings] = useState<Map<number, number>>(new Map());
  const [profile, setProfile] = useState<NewUserProfile>({ gender: '', age: '', occupation: '', zip: '' });
  const [result, setResult] = useState<Recommendations | null>(null);
  const [error, setError] = useState<string | null>(null);
  const items = useMemo(() => {
    const all = summary?.popularItems ?? [];
    const q = search.trim().toLowerCase();
    return (q ? all.filter((i) => i.title.toLowerCase().includes(q)) : all).slice(0, 60);
  }, [summary, search]);
  if (!summary) return <p className="empty">Load a dataset first.</p>;
  const titleOf = (item: number) =>
    summary.popularItems.find((i) => i.item === item)?.title ?? `item ${item}`;
  const rate = (item: number, r: number) =>
    setRatings((m) => {
      const next = new Map(m);
      if (next.get(item) === r) next.delete(item);
      else next.set(item, r);
      return next;
    });
  const vocabSelect = (field: 'gender' | 'age' | 'occupation') => (
    <label>
      {field}{' '}
      <select value={profile[field]} onChange={(e) => setProfile({ ...profile, [field]: e.target.value })}>
        <option value="">unknown</option>
        {summary.vocabularies[field].slice(1).map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div className="newuser" data-testid="newuser-panel">
      <div className="row">
        {vocabSelect('gender')}
        {vocabSelect('age')}
        {vocabSelect('occupation')}
        <label>
          zip{' '}
          <input
            value={profile.zip}
            onChange={(e) => setProfile({ ...profile, zip: e.target.value })}
            size={6}
          />
        </label>
      </div>
      <div className="newuser-grid">
        <div>
          <input
            type="search"
            placeholder="find a movie…"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            aria-label="Find a movie"
          />
          <ul className="pick-list">
            {items.map((i) => (
              <li key={i.item} className="rate-row">
                <span>
                  {i.title} <span className="muted">({i.ratings} ratings)</span>
                </span>
                <span className="stars" role="group" aria-label={`Rate ${i.title}`}>
                  {[1, 2, 3, 4, 5].map((r) => (
                    <button
                      type="button"
                      key={r}
                      className={(ratings.get(i.item) ?? 0) >= r ? 'star on' : 'star'}
                      onClick={() => rate(i.item, r)}
                      aria-label={`${r} stars`}
                    >
                      ★
                    </button>
                  ))}
                </span>
              </li>
            ))}
          </ul>
        </div>
        <div>
          <h3>Your ratings ({ratings.size})</h3>
          <ul className="notes">
            {[...ratings.entries()].map(([item, r]) => (
              <li key={item}>
                {titleOf(item)} — {r}★
              </li>
            ))}
          </ul>
          <button
            type="button"
            className="primary"
            disabled={!ready || ratings.size === 0}
            onClick={() => {
              setError(null);
              recommend(
                profile,
                [...ratings.entries()].map(([item, rating]) => ({ item, rating })),
                10,
              ).then(setResult, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
            }}
          >
            Adapt and recommend
          </button>
          {!ready && <p className="hint">Train a model first; then rate a few movies.</p>}
          {error && <Callout kind="error">{error}</Callout>}
          {result && (
            <>
              <h3>
                Top {result.items.length} after adapting to {result.supportSize} ratings
              </h3>
              <ol data-testid="recommendations">
                {result.items.map((r) => (
                  <li key={r.item}>
                    {r.title} <span className="muted">predicted {r.score.toFixed(2)}</span>
                    {r.genres.length > 0 && <span className="muted"> · {r.genres.join(', ')}</span>}
                  </li>
                ))}
              </ol>
              {new Set(result.items.map((r) => r.score.toFixed(3))).size < result.items.length && (
                <p className="hint">
                  Equal scores: the models see a film only through its features (here release decade and
                  genres; MeLU&apos;s side information adds rating, directors and actors), so films that share
                  them score alike.
                </p>
              )}
              {result.attention && (
                <p>
                  Memory slots you read:{' '}
                  {result.attention.map((a, k) => (
                    <span key={k} className="tag">
                      slot {k + 1}: {a.toFixed(2)}
                    </span>
                  ))}
                </p>
              )}
            </>
          )}
        </div>
      </div>
    </div>
  );
}
