import { useState } from 'preact/hooks';
import { describeError } from './load.hook';

/**
 * Runs the calls of actions the user starts (a list's Delete, Pause, Redeliver) and tells `setError`
 * what came of the last one: a success clears the refusal shown before and hands its result on; a
 * refusal is kept, in one line, and nothing goes on.
 */
export function actionRunner(setError: (error: string | undefined) => void) {
  return <T>(call: Promise<T>, then?: (result: T) => void): Promise<void> =>
    call.then(
      (result) => {
        setError(undefined);
        then?.(result);
      },
      (e: unknown) => setError(describeError(e)),
    );
}

/** The refusal of the user's last action as the page's state, and `run` that keeps it (actionRunner). */
export function useAction() {
  const [error, setError] = useState<string>();
  return { error, setError, run: actionRunner(setError) };
}
