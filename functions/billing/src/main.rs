fn main() -> std::process::ExitCode {
    platform::run("billing", billing::router)
}
