/** What every card of a task's timeline has (timeline.model.ts and the cards of its own files). */
export interface CardBase {
  /** Stable across updates (the list keeps measured heights by key). */
  key: string;
  /** Seq of the event that opened the card. */
  seq: number;
  at: string;
}
