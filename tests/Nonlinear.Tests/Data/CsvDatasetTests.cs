using Nonlinear.Data;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Data;

public sealed class CsvDatasetTests : IDisposable
{
    private readonly DataFiles _files = new();

    public void Dispose() => _files.Dispose();

    private Dataset Load(string text, CsvOptions? options = null) => CsvDataset.Load(_files.WriteText("d.csv", text), options);

    private DataFormatException Fails(string text, CsvOptions? options = null)
        => Assert.Throws<DataFormatException>(() => Load(text, options));

    [Fact]
    public void String_labels_become_classes_in_sorted_order_with_their_names()
    {
        var d = Load("sepal,petal,species\n1.5,2,virginica\n3,4e-1,setosa\n-5,6,versicolor\n7,8,setosa\n\n\n");
        Assert.Equal(TaskKind.Multiclass, d.Task);
        Assert.Equal(["setosa", "versicolor", "virginica"], d.ClassNames!);
        Assert.Equal([2f, 0f, 1f, 0f], d.Targets.Span.ToArray());
        Assert.Equal(new TensorShape(4, 2), d.Features.Shape);
        Assert.Equal([1.5f, 2f, 3f, 0.4f, -5f, 6f, 7f, 8f], d.Features.Span.ToArray());
        Assert.Equal("d", d.Name);
    }

    [Fact]
    public void Two_classes_make_a_binary_dataset_of_0_and_1_and_numbers_sort_numerically()
    {
        var d = Load("a,b,y\n1,2,10\n3,4,9\n5,6,10\n");
        Assert.Equal(TaskKind.Binary, d.Task);
        Assert.Equal(new TensorShape(3, 1), d.Targets.Shape);
        Assert.Equal(["9", "10"], d.ClassNames!); // numerically, not "10" < "9"
        Assert.Equal([1f, 0f, 1f], d.Targets.Span.ToArray());

        var multi = Load("a,y\n1,2\n2,10\n3,9\n4,2.0\n");
        Assert.Equal(["2", "9", "10"], multi.ClassNames!);
        Assert.Equal([0f, 2f, 1f, 0f], multi.Targets.Span.ToArray()); // 2 and 2.0 are one class
    }

    [Fact]
    public void Real_valued_labels_or_many_distinct_integers_make_a_regression_dataset()
    {
        var d = Load("x,y\n1,0.5\n2,1.25\n3,-2\n");
        Assert.Equal(TaskKind.Regression, d.Task);
        Assert.Equal(new TensorShape(3, 1), d.Targets.Shape);
        Assert.Equal([0.5f, 1.25f, -2f], d.Targets.Span.ToArray());

        string many = "x,y\n" + string.Concat(Enumerable.Range(0, 25).Select(i => $"{i},{i * 3}\n"));
        Assert.Equal(TaskKind.Regression, Load(many).Task);
        Assert.Equal(TaskKind.Multiclass, Load(many, new CsvOptions { MaxClasses = 30 }).Task);
    }

    [Fact]
    public void The_task_can_be_forced()
    {
        var r = Load("x,y\n1,0\n2,1\n3,1\n", new CsvOptions { Task = TaskKind.Regression });
        Assert.Equal(TaskKind.Regression, r.Task);
        var m = Load("x,y\n1,0\n2,1\n3,1\n", new CsvOptions { Task = TaskKind.Multiclass });
        Assert.Equal(TaskKind.Multiclass, m.Task);
        Assert.Equal(2, m.ClassCount);

        var e = Fails("x,y\n1,a\n2,b\n3,c\n", new CsvOptions { Task = TaskKind.Binary });
        Assert.Contains("needs 2 classes", e.Message, StringComparison.Ordinal);
        Assert.Contains("holds 3: a, b, c", e.Message, StringComparison.Ordinal);

        var t = Fails("x,y\n1,0.5\n2,cat\n", new CsvOptions { Task = TaskKind.Regression });
        Assert.Contains("line 3", t.Message, StringComparison.Ordinal);
        Assert.Contains("'cat' in 'y' (column 1) is not a number", t.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Species", 0)]
    [InlineData("0", 0)]
    [InlineData("-3", 0)]
    [InlineData("-1", 2)]
    [InlineData("1", 1)]
    public void The_label_column_is_chosen_by_name_or_index(string column, int expected)
    {
        var d = Load("species,x,z\n1,3,5\n0,2,6\n", new CsvOptions { LabelColumn = column });
        var all = new[] { new[] { "1", "3", "5" }, new[] { "0", "2", "6" } };
        var featureColumns = Enumerable.Range(0, 3).Where(j => j != expected).ToArray();
        Assert.Equal(TaskKind.Binary, d.Task);
        Assert.Equal(all.Select(row => row[expected]).Order(StringComparer.Ordinal), d.ClassNames!);

        Assert.Equal(all.SelectMany(row => featureColumns.Select(j => float.Parse(row[j], System.Globalization.CultureInfo.InvariantCulture))).ToArray(), d.Features.Span.ToArray());
    }

    [Fact]
    public void An_unknown_label_column_lists_the_columns()
    {
        var e = Fails("a,b,c\n1,2,0\n3,4,1\n", new CsvOptions { LabelColumn = "target" });
        Assert.Contains("label column 'target' not found", e.Message, StringComparison.Ordinal);
        Assert.Contains("'a', 'b', 'c'", e.Message, StringComparison.Ordinal);

        var i = Fails("a,b,c\n1,2,0\n3,4,1\n", new CsvOptions { LabelColumn = "3" });
        Assert.Contains("index 3 is outside the 3 columns", i.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quoted_fields_hold_separators_quotes_and_line_breaks()
    {
        var d = Load("x,\"name, full\"\n1,\"Smith, \"\"J\"\"\"\n2,\"two\nlines\"\n3,plain\n", new CsvOptions { LabelColumn = "name, full" });
        Assert.Equal(["Smith, \"J\"", "plain", "two\nlines"], d.ClassNames!);
        Assert.Equal([0f, 2f, 1f], d.Targets.Span.ToArray());

        // The row after a two-line field is reported on its own physical line.
        var e = Fails("x,y\n1,\"a\nb\"\n2,c\nzz,c\n");
        Assert.Contains("line 5: 'zz' in 'x' (column 0)", e.Message, StringComparison.Ordinal);

        var open = Fails("x,y\n1,\"never closed\n2,b\n");
        Assert.Contains("line 2: a quoted field is never closed", open.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(';')]
    [InlineData('\t')]
    public void Semicolons_and_tabs_are_detected_from_the_first_row(char sep)
    {
        var d = Load($"a{sep}b{sep}y\n1,5{sep}2{sep}u\n3{sep}4{sep}v\n".Replace("1,5", "1.5", StringComparison.Ordinal));
        Assert.Equal([1.5f, 2f, 3f, 4f], d.Features.Span.ToArray());
        Assert.Equal(TaskKind.Binary, d.Task);
        Assert.Equal([1.5f, 2f], Load($"1.5{sep}2{sep}0\n3{sep}4{sep}1\n", new CsvOptions { Separator = sep }).Features.Row(0).ToArray());
    }

    [Fact]
    public void The_header_is_detected_or_forced()
    {
        // One bad cell below does not turn the header into data: the error is reported where the cell is.
        var bad = Fails("a,b,y\n1,2,0\n3,4,1\n5,oops,0\n");
        Assert.Contains("line 4: 'oops' in 'b' (column 1)", bad.Message, StringComparison.Ordinal);

        // No header: every row is data.
        Assert.Equal(3, Load("1,2,0\n3,4,1\n5,6,1\n").Count);

        // A header over numeric columns, even when the label column holds text.
        Assert.Equal(2, Load("h1,h2,kind\n1,2,x\n3,4,y\n").Count);

        // Forced: a numeric first row can be a header too.
        var d = Load("10,20,30\n1,2,0\n3,4,1\n", new CsvOptions { HasHeader = true });
        Assert.Equal(2, d.Count);
        var e = Fails("a,b,c\n1,2,0\n", new CsvOptions { HasHeader = false });
        Assert.Contains("line 1: 'a' in column 0 is not a finite number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ragged_row_names_the_line_and_both_counts()
    {
        var e = Fails("a,b,y\n1,2,0\n3,4\n");
        Assert.Contains("d.csv, line 3: expected 3 cells (as in the header), found 2", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void A_non_numeric_feature_names_the_cell_column_and_line()
    {
        var e = Fails("a,b,y\n1,2,0\n3,four,1\n");
        Assert.Contains("line 3: 'four' in 'b' (column 1) is not a finite number", e.Message, StringComparison.Ordinal);

        var big = Fails("a,y\n1e39,0\n3,1\n");
        Assert.Contains("beyond the float range", big.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "(empty cell)")]
    [InlineData("NA", "'NA'")]
    [InlineData("nan", "'nan'")]
    public void Missing_values_are_reported_as_not_supported(string cell, string shown)
    {
        var e = Fails($"a,b,y\n1,2,0\n3,{cell},1\n4,5,0\n");
        Assert.Contains($"line 3: missing value {shown} in 'b' (column 1)", e.Message, StringComparison.Ordinal);
        Assert.Contains("not supported", e.Message, StringComparison.Ordinal);

        var label = Fails($"a,y\n1,0\n3,{cell}\n");
        Assert.Contains("line 3: missing label", label.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_empty_and_single_class_files_are_explained()
    {
        var missing = Assert.Throws<DataFormatException>(() => CsvDataset.Load(_files.Path("none.csv")));
        Assert.Contains("none.csv: no such file", missing.Message, StringComparison.Ordinal);

        Assert.Contains("is empty", Fails("\n\n  \n").Message, StringComparison.Ordinal);
        Assert.Contains("header but no data rows", Fails("a,b,y\n").Message, StringComparison.Ordinal);

        var one = Fails("a,y\n1,cat\n2,cat\n");
        Assert.Contains("'y' (column 1) holds only one class, 'cat'", one.Message, StringComparison.Ordinal);

        var single = Fails("1\n2\n");
        Assert.Contains("at least one feature column and a label column", single.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Features_only_files_for_prediction_use_the_same_reader()
    {
        var x = CsvFeatures.Read(_files.WriteText("p.csv", "x1;x2\n0;\"1\"\n\n2;3\n"), 2);
        Assert.Equal([0f, 1f, 2f, 3f], x.Span.ToArray());
        var e = Assert.Throws<DataFormatException>(() => CsvFeatures.Read(_files.WriteText("q.csv", "0,0\n0,1,2\n"), 2));
        Assert.Contains("q.csv, line 2: 3 column(s); the model takes 2 feature(s)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_is_read_like_a_file_and_errors_name_it()
    {
        var d = CsvDataset.Parse("\uFEFFwidth;height;kind\n1;2;cat\n3;4;dog\n", new CsvOptions { Name = "pets.csv" });
        Assert.Equal("pets.csv", d.Name);
        Assert.Equal(TaskKind.Binary, d.Task);
        Assert.Equal(["width", "height"], d.FeatureNames!);
        Assert.Equal("kind", d.LabelName);
        Assert.Equal(["cat", "dog"], d.ClassNames!);

        var e = Assert.Throws<DataFormatException>(() => CsvDataset.Parse("a,b,y\n1,2,x\n1,oops,y\n"));
        Assert.Equal("CSV text, line 3: 'oops' in 'b' (column 1) is not a finite number", e.Message);
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void Feature_and_label_names_come_from_the_header_or_the_column_index()
    {
        var named = Load("a,y,b\n1,0,2\n3,1,4\n", new CsvOptions { LabelColumn = "y" });
        Assert.Equal(["a", "b"], named.FeatureNames!);
        Assert.Equal("y", named.LabelName);

        var bare = Load("1,0,2\n3,1,4\n5,1,6\n", new CsvOptions { LabelColumn = "column 1" });
        Assert.Equal(["column 0", "column 2"], bare.FeatureNames!);
        Assert.Equal("column 1", bare.LabelName);
        Assert.Equal([0f, 1f, 1f], bare.Targets.Span.ToArray());
    }

    [Fact]
    public void Names_survive_subsets_splits_and_normalisation()
    {
        var d = Load("a,b,y\n1,2,0\n3,4,1\n5,6,1\n7,8,0\n");
        var (train, test) = d.Split(0.5, seed: 1);
        var scaled = Normalization.FitStandardization(train).Apply(test);
        foreach (var part in new[] { train, test, scaled, d.Subset([2]) })
        {
            Assert.Equal(["a", "b"], part.FeatureNames!);
            Assert.Equal("y", part.LabelName);
        }

        Assert.Throws<ArgumentException>(() => new Dataset("x", d.Features, d.Targets, d.Task) { FeatureNames = ["only one"] });
    }
}
