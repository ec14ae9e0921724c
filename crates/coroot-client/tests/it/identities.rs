//! One Coroot, several people: clients made with `with_credentials` share a connection pool
//! but never a login, a session, a project list or a cached answer; a session cookie from a
//! browser works without a password; and an observer hears about requests, logins and cache
//! hits without ever being handed an id.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::*;
use coroot_client::{AppId, Client, Credentials, Error, Observer, Secret};
use coroot_sim::User;

/// A client with the response cache on, as a server runs it.
fn caching_client(sim: &coroot_sim::Simulator) -> Client {
    let mut c = config(&sim.base_url());
    c.response_ttl = Duration::from_secs(60);
    client_with(c)
}

fn password(email: &str, password: &str) -> Credentials {
    Credentials::Password {
        email: email.into(),
        password: Secret::new(password),
    }
}

fn app_names(apps: &[coroot_client::models::ApplicationStatus]) -> Vec<String> {
    let mut names: Vec<String> = apps.iter().map(|a| a.id.to_string()).collect();
    names.sort();
    names
}

#[tokio::test]
async fn two_identities_never_see_each_others_cached_answers() {
    let sim = ecommerce().await;
    sim.add_user(
        User::new("bob@example.com", "bob-password")
            .with_projects(&[STAGING])
            .with_apps(&["catalog"]),
    );
    let admin = caching_client(&sim);
    let bob = admin
        .with_credentials(password("bob@example.com", "bob-password"))
        .unwrap();
    let range = last_hour();

    // Same path, asked first by the admin: bob must not get the admin's cached body.
    let seen_by_admin = admin.applications(STAGING, range).await.unwrap().data;
    let seen_by_bob = bob.applications(STAGING, range).await.unwrap().data;
    assert_eq!(
        app_names(&seen_by_admin),
        [
            "p0m1n2b3:default:Deployment:catalog",
            "p0m1n2b3:default:Deployment:frontend"
        ]
    );
    assert_eq!(app_names(&seen_by_bob), ["p0m1n2b3:default:Deployment:catalog"]);
    // And the other way round: the admin's answer is still the admin's.
    assert_eq!(admin.applications(STAGING, range).await.unwrap().data.len(), 2);

    let names = |projects: Arc<Vec<coroot_client::models::Project>>| {
        projects.iter().map(|p| p.name.clone()).collect::<Vec<_>>()
    };
    assert_eq!(names(admin.projects().await.unwrap()), ["production", "staging"]);
    assert_eq!(names(bob.projects().await.unwrap()), ["staging"]);
    assert_eq!(bob.resolve_project(None).await.unwrap().id, STAGING);

    let payment = AppId::new(format!("{PROD}:default:Deployment:payment"));
    assert!(admin.app(PROD, &payment, range).await.is_ok());
    let denied = bob.app(PROD, &payment, range).await.unwrap_err();
    assert!(matches!(denied, Error::Forbidden { .. }), "{denied}");
    let frontend = AppId::new(format!("{STAGING}:default:Deployment:frontend"));
    let denied = bob.app(STAGING, &frontend, range).await.unwrap_err();
    assert!(
        denied.to_string().contains("not allowed to view this application"),
        "{denied}"
    );

    // One login each, on one shared pool.
    assert_eq!(sim.login_count(), 2);
    let logins: Vec<String> = sim
        .requests()
        .iter()
        .filter(|r| r.path == "/api/login")
        .map(|r| serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["email"].to_string())
        .collect();
    assert_eq!(logins, ["\"admin\"", "\"bob@example.com\""]);
}

#[tokio::test]
async fn a_browser_session_cookie_works_without_a_password_until_coroot_refuses_it() {
    let sim = ecommerce().await;
    // A cookie as a browser holds it after an SSO sign-in: here, from one login.
    client(&sim).user().await.unwrap();
    let cookie = sim.session_cookies().pop().unwrap();
    let sso = client(&sim)
        .with_credentials(Credentials::SessionCookie(Secret::new(cookie.clone())))
        .unwrap();
    sim.clear_requests();
    let projects = sso.projects().await.unwrap();
    assert_eq!(projects.len(), 2);
    assert_eq!(sim.login_count(), 1, "no login with a session cookie");
    let sent = last_request(&sim, "/api/user");
    assert!(
        sent.header("cookie")
            .unwrap()
            .contains(&format!("coroot_session={cookie}")),
        "the cookie is sent as Coroot's session cookie"
    );

    sim.expire_sessions();
    let err = sso.user().await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err}");
    let message = err.to_string();
    assert!(message.contains("sign in to Coroot again"), "{message}");
    assert!(!message.contains(&cookie), "the cookie never shows: {message}");
    assert_eq!(sim.login_count(), 1, "a refused cookie is not followed by a login");

    let empty = client(&sim).with_credentials(Credentials::SessionCookie(Secret::new(" ")));
    assert!(matches!(empty, Err(Error::Config(_))));
}

/// What an observer heard, in order.
#[derive(Default)]
struct Heard(Mutex<Vec<String>>);

impl Observer for Heard {
    fn request(&self, endpoint: &'static str, status: Option<u16>, _elapsed: Duration) {
        self.0.lock().unwrap().push(format!("{endpoint} {status:?}"));
    }
    fn login(&self, ok: bool) {
        self.0.lock().unwrap().push(format!("login {ok}"));
    }
    fn cache_hit(&self, kind: &'static str) {
        self.0.lock().unwrap().push(format!("hit {kind}"));
    }
}

#[tokio::test]
async fn an_observer_hears_requests_logins_and_cache_hits_by_route() {
    let sim = ecommerce().await;
    let heard = Arc::new(Heard::default());
    let mut c = config(&sim.base_url());
    c.response_ttl = Duration::from_secs(60);
    c.observer = Some(heard.clone());
    let client = client_with(c);
    let range = last_hour();
    client.applications(PROD, range).await.unwrap();
    client.applications(PROD, range).await.unwrap();
    let heard = heard.0.lock().unwrap().clone();
    assert_eq!(
        heard,
        [
            "/api/login Some(200)",
            "login true",
            "/api/project/{project}/overview/applications Some(200)",
            "hit response",
        ]
    );
    assert!(heard.iter().all(|h| !h.contains(PROD)), "no id in a label: {heard:?}");
}
