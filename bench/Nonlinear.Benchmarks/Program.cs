using BenchmarkDotNet.Running;
using Nonlinear.Benchmarks;

// Modes:
//   side-by-side [--quick] [--out docs/benchmarks.md] [--sizes 4096,1048576,16777216] [--threads 1,2] [--no-peer]
//                [--ops relu,gelu] [--array]
//       Every activation against PyTorch (bench/peer/torch_activations.py) and a memory copy; prints markdown
//       tables and, with --out, writes them to a file.
//   train-step [--quick] [--threads 1,2] [--out docs/benchmarks.md] [--models 64-256-256-10,784-256-128-10]
//              [--optimizers sgd,adam] [--batch 128] [--no-peer]
//       One training step of dense networks against PyTorch (bench/peer/torch_training.py), allocation per step
//       and a time breakdown; prints a markdown section and, with --out, replaces only the "## Training step"
//       section of that file (side-by-side keeps that section when it rewrites the file).
//   gemm [--quick] [--out docs/benchmarks.md] [--threads 1,2] [--shapes 512x512x512,...] [--no-peer] [--vector256]
//        [--kc 256] [--mc 192] [--nc 4096]
//       This machine's FP32 FMA peak and SGEMM GFLOP/s against PyTorch's torch.mm (bench/peer/torch_gemm.py);
//       with --out, replaces only the "## Matrix multiply" section of that file.
//   fashion-mnist [--quick] [--threads 2] [--models mlp,cnn] [--epochs 2] [--model-epochs cnn-bn=1,...] [--batches N] [--data-dir DIR] [--no-peer]
//                 [--no-ort] [--no-peak] [--dense-split N|off] [--out docs/benchmarks.md]
//       Whole training epochs of the MLP and the CNN on Fashion-MNIST, batch-1 latency and batch-1000 throughput,
//       against PyTorch (bench/peer/torch_fashion.py); with --out, replaces the "## Fashion-MNIST" section.
//   sequences [--quick] [--threads 2] [--cases words-lstm,words-gru,words-rnn,words-transformer,fashion-lstm] [--epochs 1]
//             [--batches N] [--steps 100] [--words /usr/share/dict/words] [--data-dir DIR] [--no-peer] [--out docs/benchmarks.md]
//       Character-level word models (LSTM, GRU, tanh RNN, transformer) and an LSTM on Fashion-MNIST rows against
//       PyTorch (bench/peer/torch_sequences.py, same split via WordList.WriteSplit): training-step time and, with
//       --epochs E, whole epochs with validation/test loss in nats per character; with --out, replaces "## Sequences".
//   instruction-sets [--runs 10] [--levels default,avx512-off,avx-off,hwintrinsic-off] [--batches 0] [--slow-batches 40]
//                    [--epochs 2] [--shape 512x512x512] [--data-dir DIR] [--no-peer] [--quick] [--out docs/benchmarks.md]
//       GEMM GFLOP/s and % of the FMA peak, Fashion-MNIST MLP/CNN epochs and batch-1 latency at each SIMD level, each in
//       child processes (gemm/fashion-mnist --json) started with DOTNET_EnableAVX512=0, DOTNET_EnableAVX=0 or
//       DOTNET_EnableHWIntrinsic=0, against PyTorch run once; min/median/max over processes; with --out, replaces
//       "## Instruction sets".
//   accuracy [--models mlp,cnn,cnn-bn] [--seeds 1,2,3] [--epochs 10] [--data-dir DIR] [--out docs/results.md]
//       Test accuracy on Fashion-MNIST after at most 10 epochs, mean over seeds: the table of docs/results.md.
//   diagnostics [--threads 2] [--models mlp,cnn] [--epochs 3] [--batches N] [--data-dir DIR] [--out docs/benchmarks.md]
//       Fashion-MNIST training epochs without and with TrainingDiagnostics (interleaved, same seeds): the
//       overhead; with --out, replaces the "## Diagnostics overhead" section.
//   exhaustive sin|gaussian [--from 1e-4] [--to 65536]
//       Every float in the range (both signs) through the activation's kernels against float64: worst ulp per binade.
//   playground-load [--sessions 1,20] [--seconds 10] [--speed 1,0] [--warmup 2] [--draw-ms 2] [--health-ms 20]
//                   [--costs-seconds 1] [--dataset spiral] [--server-dll PATH] [--in-process] [--out docs/benchmarks.md]
//       The web playground's server under load: N simulated pages over 127.0.0.1 train 6x8 networks and take frames
//       over WebSockets while GET /api/health is timed; with --out, replaces the "## Playground server" section.
//   fuzz [--cases 10000] [--seed 1] [--readers model,checkpoint,onnx,idx,idx-gz,idx-stream,csv,png] [--case I] [--file PATH] [--dump DIR] [--out docs/fuzzing.md]
//       Every file reader fed mutated valid files (bit flips, truncations, forged lengths and counts, splices): each case
//       must end in a valid result or a clear error within 1 s and 64 MiB; with --out, replaces "## Results" (docs/fuzzing.md).
//   conv-layers | cnn-layers [reps] [spec] | dense-infer [reps]
//       Quick per-layer harnesses (no peer, no --out): the CNN's convolutions, every layer of a CNN training step and of
//       its batch-1 inference (fused against one by one, thread splits on and off), and the MLP's inference choices
//       (batch-1 split, shared packing), each A/B interleaved in one process.
//   bdn [BenchmarkDotNet arguments]
//       BenchmarkDotNet micro-benchmarks of a few kernels (see ActivationBenchmarks).
if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("""
        usage:
          dotnet run -c Release --project bench/Nonlinear.Benchmarks -- side-by-side [--quick] [--out docs/benchmarks.md]
                [--sizes 4096,1048576,16777216] [--threads 1,2] [--ops relu,gelu] [--no-peer] [--array]
          dotnet run -c Release --project bench/Nonlinear.Benchmarks -- train-step [--quick] [--threads 1,2] [--out docs/benchmarks.md]
                [--models 64-256-256-10,784-256-128-10] [--optimizers sgd,adam] [--batch 128] [--no-peer]
          dotnet run -c Release --project bench/Nonlinear.Benchmarks -- gemm [--quick] [--out docs/benchmarks.md] [--threads 1,2]
                [--shapes 512x512x512,...] [--no-peer] [--vector256] [--kc 256] [--mc 192] [--nc 4096]
          dotnet run -c Release --project bench/Nonlinear.Benchmarks -- fashion-mnist [--quick] [--threads 2] [--models mlp,cnn]
                [--epochs 2] [--model-epochs cnn-bn=1,...] [--batches N] [--data-dir DIR] [--no-peer] [--no-ort] [--no-peak] [--dense-split N|off] [--out docs/benchmarks.md]
          dotnet run -c Release --project bench/Nonlinear.Benchmarks -- sequences [--quick] [--threads 2] [--cases words-lstm,...,fashion-lstm]
                [--epochs 1] [--batches N] [--steps 100] [--words /usr/share/dict/words] [--data-dir DIR] [--no-peer] [--out docs/benchmarks.md]
          dotnet run -c Release --project bench/Nonlinear.Benchmarks -- instruction-sets [--runs 10] [--levels default,avx512-off,avx-off,hwintrinsic-off]
                [--batches 0] [--slow-batches 40] [--epochs 2] [--shape 512x512x512] [--data-dir DIR] [--no-peer] [--quick] [--out docs/benchmarks.md]
          dotnet run -c Release --project bench/Nonlinear.Benchmarks -- accuracy [--models mlp,cnn,cnn-bn] [--seeds 1,2,3] [--epochs 10]
                [--data-dir DIR] [--out docs/results.md]
          dotnet run -c Release --project bench/Nonlinear.Benchmarks -- diagnostics [--threads 2] [--models mlp,cnn] [--epochs 3]
                [--batches N] [--data-dir DIR] [--out docs/benchmarks.md]
          dotnet run -c Release --project bench/Nonlinear.Benchmarks -- exhaustive sin|gaussian [--from 1e-4] [--to 65536]
          dotnet run -c Release --project bench/Nonlinear.Benchmarks -- playground-load [--sessions 1,20] [--seconds 10] [--speed 1,0]
                [--warmup 2] [--draw-ms 2] [--health-ms 20] [--costs-seconds 1] [--dataset spiral] [--server-dll PATH] [--in-process] [--out docs/benchmarks.md]
          dotnet run -c Release --project bench/Nonlinear.Benchmarks -- fuzz [--cases 10000] [--seed 1] [--readers model,checkpoint,onnx,idx,idx-gz,idx-stream,csv,png]
                [--case I] [--file PATH] [--dump DIR] [--out docs/fuzzing.md]
          dotnet run -c Release --project bench/Nonlinear.Benchmarks -- conv-layers | cnn-layers [reps] [spec] | dense-infer [reps]
          dotnet run -c Release --project bench/Nonlinear.Benchmarks -- bdn [BenchmarkDotNet args, e.g. --filter '*']
        """);
    return args.Length == 0 ? 2 : 0;
}

switch (args[0])
{
    case "side-by-side":
        return SideBySide.Run(args[1..]);
    case "train-step":
        return TrainStep.Run(args[1..]);
    case "gemm":
        return GemmBench.Run(args[1..]);
    case "fashion-mnist":
        return FashionBench.Run(args[1..]);
    case "sequences":
        return SequenceBench.Run(args[1..]);
    case "instruction-sets":
        return InstructionSets.Run(args[1..]);
    case "accuracy":
        return FashionAccuracy.Run(args[1..]);
    case "diagnostics":
        return DiagnosticsBench.Run(args[1..]);
    case "exhaustive":
        return ExhaustiveSweep.Run(args[1..]);
    case "playground-load":
        return PlaygroundLoad.Run(args[1..]);
    case "fuzz":
        return FuzzBench.Run(args[1..]);
    case "conv-layers":
        return ConvLayersBench.Run(args[1..]);
    case "dense-infer":
        return DenseInferBench.Run(args[1..]);
    case "cnn-layers":
        return CnnLayersBench.Run(args[1..]);
    case "bdn":
        BenchmarkSwitcher.FromAssembly(typeof(ActivationBenchmarks).Assembly).Run(args[1..]);
        return 0;
    default:
        Console.Error.WriteLine($"unknown mode '{args[0]}'; use side-by-side, train-step, gemm, fashion-mnist, instruction-sets, sequences, accuracy, diagnostics, exhaustive, playground-load, fuzz, conv-layers, cnn-layers, dense-infer or bdn (--help for usage)");
        return 2;
}
