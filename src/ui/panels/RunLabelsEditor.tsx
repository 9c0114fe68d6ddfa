/** Edits a stored run's name, notes and tags (comma-separated); saved only on "save". */
import { useState } from 'react';
import type { RunLabels, SavedRun } from '../store/runsStore';

export function RunLabelsEditor({
  run,
  onSave,
  onCancel,
}: {
  run: SavedRun;
  onSave: (labels: RunLabels) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(run.name ?? '');
  const [notes, setNotes] = useState(run.notes ?? '');
  const [tags, setTags] = useState((run.tags ?? []).join(', '));
  return (
    <form
      className="run-labels"
      data-testid="run-labels"
      onSubmit={(e) => {
        e.preventDefault();
        onSave({
          name: name.trim(),
          notes: notes.trim(),
          tags: [
            ...new Set(
              tags
                .split(',')
                .map((t) => t.trim())
                .filter(Boolean),
            ),
          ],
        });
      }}
    >
      <input aria-label="name" placeholder="name" value={name} onChange={(e) => setName(e.target.value)} />
      <textarea
        aria-label="notes"
        placeholder="notes"
        value={notes}
        onChange={(e) => setNotes(e.target.value)}
      />
      <input
        aria-label="tags"
        placeholder="tags, comma-separated"
        value={tags}
        onChange={(e) => setTags(e.target.value)}
      />
      <div className="row">
        <button type="submit">save</button>
        <button type="button" className="link" onClick={onCancel}>
          cancel
        </button>
      </div>
    </form>
  );
}
