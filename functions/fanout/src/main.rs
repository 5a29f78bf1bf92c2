fn main() -> std::process::ExitCode {
    platform::run("fanout", fanout::router)
}
