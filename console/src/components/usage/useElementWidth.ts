import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';

/** The rendered width of an element, so charts draw at real pixels (legible text at 375 px). */
export function useElementWidth(el: Ref<HTMLElement | null>, fallback = 720): Ref<number> {
  const width = ref(fallback);
  let observer: ResizeObserver | undefined;
  onMounted(() => {
    if (!el.value) return;
    width.value = el.value.clientWidth || fallback;
    if (typeof ResizeObserver === 'undefined') return;
    observer = new ResizeObserver((entries) => {
      const w = entries[0]?.contentRect.width;
      if (w) width.value = Math.round(w);
    });
    observer.observe(el.value);
  });
  onBeforeUnmount(() => observer?.disconnect());
  return width;
}
