fn main() -> std::process::ExitCode {
    platform::run("calendars", calendars::router)
}
