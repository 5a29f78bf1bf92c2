fn main() -> std::process::ExitCode {
    platform::run("notifications-worker", notifications_worker::router)
}
