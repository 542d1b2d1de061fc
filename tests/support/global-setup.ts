// Placeholder: the dev-stack supervisor replaces this with a setup that starts the real
// servers once for the integration project and tears them down afterwards.
export default function setup(): void {}
