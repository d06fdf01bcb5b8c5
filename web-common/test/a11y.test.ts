import { afterEach, describe, expect, it } from 'vitest';
import { LARGE_TYPE_KEY, initLargeType, isLargeType, onLargeTypeChange, setLargeType } from '../src/a11y';
import { MemoryKV } from '../src/storage';

function target() {
  const classes = new Set<string>();
  return {
    classes,
    classList: {
      toggle(name: string, force?: boolean) {
        if (force ?? !classes.has(name)) classes.add(name);
        else classes.delete(name);
      },
    },
  };
}

afterEach(() => setLargeType(false, { storage: null, target: null }));

describe('large type', () => {
  it('is off by default', () => {
    const el = target();
    expect(initLargeType({ storage: new MemoryKV(), target: el })).toBe(false);
    expect(el.classes.has('large-type')).toBe(false);
  });

  it('is remembered on the device and restored', () => {
    const storage = new MemoryKV();
    const el = target();
    setLargeType(true, { storage, target: el });
    expect(storage.getItem(LARGE_TYPE_KEY)).toBe('1');
    expect(el.classes.has('large-type')).toBe(true);
    setLargeType(false, { storage: null, target: null });
    const again = target();
    expect(initLargeType({ storage, target: again })).toBe(true);
    expect(again.classes.has('large-type')).toBe(true);
    expect(isLargeType()).toBe(true);
    setLargeType(false, { storage, target: again });
    expect(storage.getItem(LARGE_TYPE_KEY)).toBeNull();
    expect(again.classes.has('large-type')).toBe(false);
  });

  it('tells the listeners', () => {
    const seen: boolean[] = [];
    const off = onLargeTypeChange((on) => seen.push(on));
    setLargeType(true, { storage: null, target: null });
    off();
    setLargeType(false, { storage: null, target: null });
    expect(seen).toEqual([true]);
  });
});
