using CrossLearn.Features.Learning;
using CrossLearn.Platform.Storage;
using JasperFx.Events.Projections;
using Marten;
using Wolverine;

namespace CrossLearn.Features.Experiments;

/// <summary>The experiments' defaults (configuration section <c>Experiments</c>); docs/learning.md explains them.</summary>
public sealed class ExperimentSettings
{
    public const string Section = "Experiments";

    /// <summary>The share of users in the treatment arm of an experiment that does not name its own.</summary>
    public double TreatmentShare { get; set; } = 0.5;

    /// <summary>The fixed horizon: an experiment is judged once both arms have this many users with a rated turn...</summary>
    public int HorizonUsersPerArm { get; set; } = 30;

    /// <summary>... and this many rated turns.</summary>
    public int HorizonRatedTurnsPerArm { get; set; } = 100;

    /// <summary>Start an experiment on its own for a pattern with the promotion's holders that is not promoted and was never tested.</summary>
    public bool AutoStart { get; set; }

    /// <summary>How often the experiment watcher looks for experiments at their horizon.</summary>
    public int CheckMilliseconds { get; set; } = 1000;

    public static ExperimentSettings Load(IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section).Get<ExperimentSettings>() ?? new ExperimentSettings();
        if (settings.TreatmentShare is <= 0 or >= 1)
            throw new InvalidOperationException("Experiments:TreatmentShare must be between 0 and 1 (exclusive).");
        if (settings.HorizonUsersPerArm < 2 || settings.HorizonRatedTurnsPerArm < settings.HorizonUsersPerArm)
            throw new InvalidOperationException("Experiments: the horizon needs at least 2 users an arm and at least a rated turn for each.");
        if (settings.CheckMilliseconds < 10) throw new InvalidOperationException("Experiments:CheckMilliseconds must be at least 10.");
        return settings;
    }
}

/// <summary>A/B tests of patterns: their events on the knowledge stream, their read model, the admin endpoints.</summary>
public static class ExperimentsModule
{
    public static WebApplicationBuilder AddExperiments(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(ExperimentSettings.Load(builder.Configuration));
        builder.Services.AddSingleton<ExperimentOutcomes>();
        builder.Services.ConfigureMarten(options =>
        {
            options.Projections.Add<ExperimentProjection>(ProjectionLifecycle.Inline);
            options.Schema.For<Experiment>().Duplicate(e => e.Status);
            options.Projections.Add<ExperimentOutcomeProjection>(ProjectionLifecycle.Inline);
            options.Schema.For<ExperimentOutcome>().Duplicate(o => o.ExperimentId).Duplicate(o => o.UserId);
        });
        builder.Services.AddSingleton(new UserOwnedDocument(typeof(ExperimentOutcome), "user_id"));
        builder.Services.AddStreamFold(new MultiStreamFold<ExperimentOutcome, string>(
            new ExperimentOutcomeProjection(), ExperimentOutcomeProjection.IdsOf, streamColumn: "user_id"));
        builder.Services.AddSingularAgent<ExperimentWatcher>();
        builder.Services.AddStreamFold(new MultiStreamFold<Experiment, Guid>(new ExperimentProjection(), ExperimentProjection.IdsOf, onlyStream: KnowledgeStream.Key));
        return builder;
    }
}
