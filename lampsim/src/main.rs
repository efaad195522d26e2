//! `lampsim`: see the library docs and `lampsim --help`.

use std::process::ExitCode;

use clap::Parser;
use lampsim::args::Args;
use lampsim::broker::{self, Listeners};
use lampsim::runner::{self, Options};

fn main() -> ExitCode {
    let args = Args::parse();
    let (host, port) = match &args.broker {
        Some(b) => {
            println!("lampsim: using the broker at {b} (no embedded broker)");
            (b.host.clone(), b.port)
        }
        None => {
            let listeners = Listeners::loopback(args.tcp_port, args.ws_port);
            if let Err(why) = broker::start(&listeners) {
                eprintln!("lampsim: {why}");
                return ExitCode::FAILURE;
            }
            println!("lampsim: embedded MQTT broker (rumqttd 0.20, MQTT 3.1.1) listening on");
            println!("lampsim:   {}  (TCP)", listeners.tcp_url());
            println!(
                "lampsim:   {}  (WebSocket, subprotocol mqtt; any path is accepted)",
                listeners.ws_url()
            );
            ("127.0.0.1".to_string(), args.tcp_port)
        }
    };
    if args.broker_only {
        println!("lampsim: broker only, no lamps (Ctrl-C stops it)");
        return match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => {
                rt.block_on(stop_signal(args.exit_on_eof));
                rt.shutdown_background();
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("lampsim: cannot start the async runtime: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let opts = Options {
        seed_lamps: args.lamps,
        rooms: usize::from(args.rooms),
        chaos: args.chaos,
        flood: args.flood,
        quiet: args.quiet,
        flap: args.flap(),
        ..Options::new(&host, port)
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lampsim: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(runner::run(opts, stop_signal(args.exit_on_eof), None));
    // Do not wait for the blocking stdin reader of --exit-on-eof: dropping a runtime waits
    // for blocking tasks forever.
    runtime.shutdown_background();
    match result {
        Ok(report) => {
            println!(
                "lampsim: stopped ({} commands handled, {} messages published)",
                report.commands, report.published
            );
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("lampsim: {why}");
            ExitCode::FAILURE
        }
    }
}

/// Completes on Ctrl-C, on SIGTERM (what `kill` and process supervisors send) and, with
/// `--exit-on-eof`, when standard input closes.
async fn stop_signal(exit_on_eof: bool) {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    let eof = async {
        if !exit_on_eof {
            return std::future::pending::<()>().await;
        }
        use tokio::io::AsyncReadExt;
        let mut stdin = tokio::io::stdin();
        let mut buf = [0u8; 256];
        // Anything written is ignored; only the end of the stream matters.
        while matches!(stdin.read(&mut buf).await, Ok(n) if n > 0) {}
    };
    tokio::select! {
        _ = ctrl_c => println!("lampsim: Ctrl-C, stopping"),
        _ = term => println!("lampsim: SIGTERM, stopping"),
        _ = eof => println!("lampsim: standard input closed, stopping"),
    }
}
