// The as-is page's sliders: show the value while dragging, rediscover when let go.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("[data-sliders]")) {
    for (const slider of form.querySelectorAll("[data-slider]")) {
      const out = form.querySelector(`output[data-for="${slider.name}"]`);
      slider.addEventListener("input", () => { if (out) out.textContent = `${slider.value}%`; });
      slider.addEventListener("change", () => form.submit());
    }
  }
});
