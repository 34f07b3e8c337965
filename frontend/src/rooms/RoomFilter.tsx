/** The room list's filter box: names containing the text, accents and case aside. */
export const RoomFilter = (props: { id: string; value: string; onInput: (text: string) => void }) => (
  <div class="room-filter">
    <label class="visually-hidden" for={props.id}>
      Filter rooms
    </label>
    <input
      id={props.id}
      type="search"
      placeholder="Filter rooms"
      maxLength={100}
      autocomplete="off"
      spellcheck={false}
      value={props.value}
      onInput={(e) => props.onInput(e.currentTarget.value)}
    />
  </div>
);
