import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';

/**
 * Which fields the administrator has left, so their problems can show inline. A field left
 * by pressing a button (mousedown blurs it) is only marked once the pointer is released:
 * otherwise the error appearing above the button moves it, the mouseup lands elsewhere, and
 * the click the administrator meant is lost.
 */
export function useTouched(): { touched: Ref<Set<string>>; touch: (field: string) => void; reset: () => void } {
  const touched = ref(new Set<string>());
  const pending = new Set<string>();
  let pointerDown = false;

  function flush(): void {
    if (!pending.size) return;
    const next = new Set(touched.value);
    for (const field of pending) next.add(field);
    pending.clear();
    touched.value = next;
  }

  function touch(field: string): void {
    if (pointerDown) {
      pending.add(field);
      return;
    }
    if (!touched.value.has(field)) touched.value = new Set(touched.value).add(field);
  }

  function reset(): void {
    pending.clear();
    touched.value = new Set();
  }

  const onDown = () => {
    pointerDown = true;
  };
  // After the click event of this press has been dispatched.
  const onUp = () => {
    pointerDown = false;
    setTimeout(flush, 0);
  };

  onMounted(() => {
    document.addEventListener('pointerdown', onDown, true);
    document.addEventListener('pointerup', onUp, true);
    document.addEventListener('pointercancel', onUp, true);
  });
  onBeforeUnmount(() => {
    document.removeEventListener('pointerdown', onDown, true);
    document.removeEventListener('pointerup', onUp, true);
    document.removeEventListener('pointercancel', onUp, true);
  });

  return { touched, touch, reset };
}
