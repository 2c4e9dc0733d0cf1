package org.intravis.inference;

import org.intravis.pipeline.Modality;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A stream's model when none is named: the one named after its source's modality. */
class DefaultModelTest {

    @Test
    void eachModalityGetsTheModelNamedAfterIt() throws Exception {
        assertThat(ModelSource.defaultFor(Modality.ULTRASOUND)).isEqualTo("ultrasound");
        assertThat(ModelSource.defaultFor(Modality.FLUOROSCOPY)).isEqualTo("fluoroscopy");
        assertThat(ModelSource.defaultFor(Modality.UNKNOWN)).as("a source that cannot tell").isEqualTo("ultrasound");
        // the defaults are the bundled models, and their instruments fit the modality
        assertThat(ModelSource.locate(ModelSource.defaultFor(Modality.FLUOROSCOPY), null).spec().roles().instrument())
                .isEqualTo(Instrument.WIRE);
        assertThat(ModelSource.locate(ModelSource.defaultFor(Modality.ULTRASOUND), null).spec().roles().instrument())
                .isEqualTo(Instrument.NEEDLE);
    }

    /** No endoscopy model is bundled: such a stream gets a clear load error (the video runs on) until one is added. */
    @Test
    void aModalityWithoutAModelIsAClearError() {
        assertThat(ModelSource.defaultFor(Modality.ENDOSCOPY)).isEqualTo("endoscopy");
        assertThatThrownBy(() -> ModelSource.locate(ModelSource.defaultFor(Modality.ENDOSCOPY), null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model 'endoscopy' not found");
    }
}
