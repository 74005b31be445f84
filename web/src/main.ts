import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";

const target = document.getElementById("app");
if (target) mount(App, { target });

// The service worker keeps the application shell (never API answers) and shows push
// notifications. Where there is none (an insecure origin, an old browser) the app works as
// before.
if ("serviceWorker" in navigator) {
  void navigator.serviceWorker.register("/sw.js").catch(() => undefined);
}
