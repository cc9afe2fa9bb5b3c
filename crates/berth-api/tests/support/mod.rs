//! Shared set-up of the API tests: an [`Api`] on a test home and kubeconfig, with a keyring
//! namespace of its own (per suite, test and process) so parallel tests never share credentials.

use berth_api::Api;
use berth_secrets::Keyring;

/// An API on `home` and `kubeconfig`, its keyring under `dev.berth.test.{suite}.{test}.{pid}`.
pub(crate) fn api_and_keyring(
    home: &std::path::Path,
    kubeconfig: &std::path::Path,
    suite: &str,
    test: &str,
) -> (Api, Keyring) {
    let keyring = Keyring::with_namespace(format!(
        "dev.berth.test.{suite}.{test}.{}",
        std::process::id()
    ));
    let api = Api::open(Some(home))
        .unwrap()
        .with_kubeconfig(vec![kubeconfig.to_owned()])
        .with_keyring(keyring.clone());
    (api, keyring)
}
